import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api, canWrite, newKey, publishAction, unwrap, writeHeaders, type Schemas } from '../api';
import { MergeDialog } from '../components/merge-dialog';
import { ReasonDialog } from '../components/reason-dialog';
import { Dialog, KIND_LABELS, Place, ProblemNotice, kindLabel, useDocumentTitle } from '../components/ui';
import { QUEUE_KEYS, queueCommand } from '../lib/keymap';
import { isOwnEvent, useActionEvents } from '../live';
import { useDirectory, useDuplicates, useSources } from '../queries';
import { reviewRoute } from '../router';
import { useSession } from '../session';

type Proposal = Schemas['ActionSummary'];

/** A dialog, with the proposal it acts on taken when it opened (the list may move under it). */
type OpenDialog = { kind: 'reject' | 'merge'; target: Proposal } | { kind: 'help' } | null;

// Single-key shortcuts can be turned off (WCAG 2.1.4), for speech input and for whoever types
// into the page by mistake; the choice is kept on this browser.
const SHORTCUTS = 'policy-ledger.shortcuts';

/**
 * The review queue: what ingestion proposed, newest first, triaged from the keyboard as in a
 * mail client. Each proposal shows where it came from, which places were read in it and why,
 * and the published actions it may duplicate.
 */
export function ReviewQueue() {
  useDocumentTitle('Review queue');
  const filters = reviewRoute.useSearch();
  const navigate = useNavigate({ from: reviewRoute.fullPath });
  const { session } = useSession();
  const writable = canWrite(session);
  const queryClient = useQueryClient();

  const queue = useInfiniteQuery({
    queryKey: ['actions', 'queue', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api().GET('/api/v1/actions', {
          params: {
            query: {
              status: 'proposed',
              limit: 50,
              ...(filters.kind ? { kind: filters.kind } : {}),
              ...(filters.source ? { sourceSystem: filters.source } : {}),
              ...(filters.jurisdiction ? { jurisdiction: filters.jurisdiction } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = useMemo(() => queue.data?.pages.flatMap((p) => p.items) ?? [], [queue.data]);

  const [currentId, setCurrentId] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [message, setMessage] = useState<string>('');
  const [shortcuts, setShortcuts] = useState(() => localStorage.getItem(SHORTCUTS) !== 'off');
  const found = items.findIndex((a) => a.id === currentId);
  // Where the current proposal was: when it leaves the list (published here or by someone
  // else), the one that took its place becomes current, as the next message in a mail client.
  const lastIndex = useRef(0);
  if (found >= 0) lastIndex.current = found;
  const index = found >= 0 ? found : Math.min(lastIndex.current, Math.max(0, items.length - 1));
  const current: Proposal | undefined = items[index];

  useEffect(() => {
    if (current && current.id !== currentId) setCurrentId(current.id);
    setSelected((s) => {
      const alive = new Set([...s].filter((id) => items.some((a) => a.id === id)));
      return alive.size === s.size ? s : alive;
    });
    // A dialog about a proposal that has just left the queue has nothing left to act on.
    if (dialog && dialog.kind !== 'help' && !items.some((a) => a.id === dialog.target.id)) {
      setDialog(null);
      setMessage(`“${dialog.target.title}” left the queue while the dialog was open; nothing was sent.`);
    }
  }, [items, current, currentId, dialog]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['actions'] });

  // One Idempotency-Key per proposal and version: pressing p again after a lost answer acts once.
  const intentKeys = useRef(new Map<string, string>());
  const keyFor = (a: Proposal) => {
    const intent = `${a.id}@${a.version}`;
    if (!intentKeys.current.has(intent)) intentKeys.current.set(intent, newKey());
    return intentKeys.current.get(intent)!;
  };

  const publish = useMutation({
    mutationFn: async (targets: Proposal[]) => {
      const failed: string[] = [];
      for (const a of targets) {
        try {
          await publishAction(a.id, a.version, keyFor(a));
        } catch (e) {
          if (targets.length === 1) throw e;
          failed.push(`“${a.title}” (${e instanceof ApiError ? e.problem.detail : String(e)})`);
        }
      }
      return { published: targets.length - failed.length, failed };
    },
    onSuccess: ({ published, failed }) => {
      setMessage(`Published ${published}.${failed.length ? ` Not published: ${failed.join('; ')}.` : ''}`);
      setSelected(new Set());
      void refresh();
    },
  });

  const moveTo = (next: Proposal | undefined) => {
    if (!next) return;
    setCurrentId(next.id);
    // Focus follows, so a screen reader says which proposal is now current.
    document.querySelector<HTMLButtonElement>(`#proposal-${CSS.escape(next.id)} .row-button`)?.focus();
  };

  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const publishTargets = selected.size > 0 ? items.filter((a) => selected.has(a.id)) : current ? [current] : [];

  // The handler of the latest render, behind one listener for the page's life.
  const onKey = useRef<(e: KeyboardEvent) => void>(() => {});
  onKey.current = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null;
    const command = queueCommand({
      key: e.key,
      ctrlKey: e.ctrlKey,
      metaKey: e.metaKey,
      altKey: e.altKey,
      targetTag: target?.tagName,
      targetType: (target as HTMLInputElement | null)?.type,
      targetEditable: target?.isContentEditable,
    });
    if (!command || (!shortcuts && command !== 'close')) return;
    if (command === 'close') return setDialog(null);
    if (dialog) return; // an open dialog (the help too) has the keyboard
    e.preventDefault();
    if (command === 'help') return setDialog({ kind: 'help' });
    if (command === 'next') return moveTo(items[index + 1]);
    if (command === 'previous') return moveTo(items[index - 1]);
    if (!current || !writable) return;
    if (command === 'toggle') toggle(current.id);
    else if (command === 'publish') {
      if (!publish.isPending) publish.mutate(publishTargets);
    } else if (command === 'reject') setDialog({ kind: 'reject', target: current });
    else if (command === 'merge') setDialog({ kind: 'merge', target: current });
    else if (command === 'edit') void navigate({ to: '/actions/$id', params: { id: current.id }, search: { edit: true } });
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  // Another curator acting on the proposal in view: say so (the list refreshes by itself).
  useActionEvents(current?.id ?? '', (e) => {
    if (!isOwnEvent(e)) setMessage(`Someone else just changed “${current?.title}” (${e.type}).`);
  });

  const setShortcutsOn = (on: boolean) => {
    localStorage.setItem(SHORTCUTS, on ? 'on' : 'off');
    setShortcuts(on);
  };

  return (
    <div className="queue">
      <div className="page-head">
        <h1>Review queue</h1>
        <span className="toolbar">
          <label className="inline-check">
            <input type="checkbox" checked={shortcuts} onChange={(e) => setShortcutsOn(e.target.checked)} /> Single-key shortcuts
          </label>
          <button type="button" className="link-button" onClick={() => setDialog({ kind: 'help' })} aria-keyshortcuts="?">
            Keyboard shortcuts (?)
          </button>
        </span>
      </div>
      <Filters filters={filters} onChange={(next) => void navigate({ search: { ...filters, ...next } })} />
      <p role="status" className="status-line">
        {message}
      </p>
      <ProblemNotice error={queue.error ?? publish.error} />
      {writable && (
        <div className="toolbar" aria-label="Selection">
          <span>{selected.size} selected</span>
          <button type="button" onClick={() => setSelected(new Set(items.map((a) => a.id)))} disabled={items.length === 0}>
            Select all shown
          </button>
          <button type="button" onClick={() => setSelected(new Set())} disabled={selected.size === 0}>
            Clear selection
          </button>
          <button type="button" className="primary" disabled={selected.size === 0 || publish.isPending} onClick={() => publish.mutate(publishTargets)}>
            Publish {selected.size} selected
          </button>
        </div>
      )}
      <div className="queue-panes">
        <section aria-label="Proposals" className="queue-list">
          {queue.isPending ? (
            <p>Loading…</p>
          ) : items.length === 0 ? (
            <p className="empty">Nothing awaits review{filters.kind || filters.source || filters.jurisdiction ? ' with these filters' : ''}.</p>
          ) : (
            <ol>
              {items.map((a) => (
                <li key={a.id} id={`proposal-${a.id}`} className={a.id === current?.id ? 'current' : undefined}>
                  {writable && (
                    <input type="checkbox" aria-label={`Select “${a.title}”`} checked={selected.has(a.id)} onChange={() => toggle(a.id)} />
                  )}
                  <button type="button" className="row-button" aria-current={a.id === current?.id ? 'true' : undefined} onClick={() => setCurrentId(a.id)}>
                    <span className="row-title">{a.title}</span>
                    <span className="row-meta">
                      {kindLabel(a.kind)} · {a.occurredOn.date} · {a.proposal?.sourceSystem ?? 'curated'}
                    </span>
                  </button>
                </li>
              ))}
            </ol>
          )}
          {queue.hasNextPage && (
            <button type="button" onClick={() => void queue.fetchNextPage()} disabled={queue.isFetchingNextPage}>
              Load more
            </button>
          )}
        </section>
        {current && (
          <ProposalDetail
            key={current.id}
            proposal={current}
            writable={writable}
            busy={publish.isPending}
            onPublish={() => publish.mutate([current])}
            onReject={() => setDialog({ kind: 'reject', target: current })}
            onMerge={() => setDialog({ kind: 'merge', target: current })}
          />
        )}
      </div>
      {dialog?.kind === 'reject' && (
        <ReasonDialog
          key={dialog.target.id}
          open
          title={`Reject “${dialog.target.title}”`}
          action="Reject"
          onClose={() => setDialog(null)}
          send={(reason, key) =>
            unwrap(
              api().POST('/api/v1/actions/{id}/rejection', {
                params: { path: { id: dialog.target.id }, header: writeHeaders(key, dialog.target.version) },
                body: { reason },
              }),
            )
          }
          onDone={() => {
            setMessage(`Rejected “${dialog.target.title}”.`);
            setDialog(null);
            void refresh();
          }}
        />
      )}
      {dialog?.kind === 'merge' && (
        <MergeDialog
          key={dialog.target.id}
          open
          duplicate={dialog.target}
          onClose={() => setDialog(null)}
          onDone={(survivor) => {
            setMessage(`Merged “${dialog.target.title}” into “${survivor}”.`);
            setDialog(null);
            void refresh();
          }}
        />
      )}
      <KeyboardHelp open={dialog?.kind === 'help'} onClose={() => setDialog(null)} />
    </div>
  );
}

function Filters({
  filters,
  onChange,
}: {
  filters: { source?: string; kind?: string; jurisdiction?: string };
  onChange(next: { source?: string; kind?: string; jurisdiction?: string }): void;
}) {
  const sources = useSources();
  const [jurisdiction, setJurisdiction] = useState(filters.jurisdiction ?? '');
  const directory = useDirectory(jurisdiction.startsWith('ocd-division/') ? '' : jurisdiction);
  return (
    <form
      className="filters"
      aria-label="Filter proposals"
      onSubmit={(e) => {
        e.preventDefault();
        onChange({ jurisdiction: jurisdiction.trim() || undefined });
      }}
    >
      <label>
        Source
        <select value={filters.source ?? ''} onChange={(e) => onChange({ source: e.target.value || undefined })}>
          <option value="">All sources</option>
          {/* A source named in the URL that is not configured (any more) still shows as chosen. */}
          {filters.source && !sources.data?.items.some((s) => s.id === filters.source) && <option value={filters.source}>{filters.source}</option>}
          {sources.data?.items.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Kind
        <select value={filters.kind ?? ''} onChange={(e) => onChange({ kind: e.target.value || undefined })}>
          <option value="">All kinds</option>
          {Object.entries(KIND_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Jurisdiction (name or OCD id)
        <input
          value={jurisdiction}
          list="jurisdiction-choices"
          onChange={(e) => setJurisdiction(e.target.value)}
          placeholder="Chicago, or ocd-division/country:us/state:il/place:chicago"
        />
        {/* Typing a name offers the directory's matches; choosing one puts its id in the field. */}
        <datalist id="jurisdiction-choices">
          {directory.data?.items.map((j) => (
            <option key={j.id} value={j.id}>
              {j.name} ({j.level})
            </option>
          ))}
        </datalist>
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}

function ProposalDetail({
  proposal: a,
  writable,
  busy,
  onPublish,
  onReject,
  onMerge,
}: {
  proposal: Proposal;
  writable: boolean;
  busy: boolean;
  onPublish(): void;
  onReject(): void;
  onMerge(): void;
}) {
  const duplicates = useDuplicates(a.id);
  const places = a.proposal?.places;
  return (
    <section aria-labelledby="proposal-title" className="queue-detail">
      <h2 id="proposal-title">
        <Link to="/actions/$id" params={{ id: a.id }}>
          {a.title}
        </Link>
      </h2>
      <p className="row-meta">
        {kindLabel(a.kind)} · {a.occurredOn.date} ({a.occurredOn.precision}) · acting: <Place id={a.actingJurisdictionId} />
      </p>
      <blockquote className="excerpt">{a.summary}</blockquote>
      {a.sources.length > 0 && (
        <p>
          Source:{' '}
          {a.sources.map((s) => (
            <a key={s.url} href={s.url} target="_blank" rel="noreferrer">
              {s.title ?? s.publisher}
            </a>
          ))}
        </p>
      )}
      <h3>Places read in it</h3>
      <ul className="places">
        {a.affectedJurisdictionIds.map((id) => (
          <li key={id}>
            <Place id={id} />
            {places?.matched.find((m) => m.jurisdictionId === id) && (
              <span className="evidence"> — matched “{places.matched.find((m) => m.jurisdictionId === id)!.evidence}”</span>
            )}
          </li>
        ))}
      </ul>
      {places && places.ambiguous.length > 0 && (
        <>
          <h3>Ambiguous names to resolve</h3>
          <ul className="places">
            {places.ambiguous.map((p) => (
              <li key={p.evidence}>
                “{p.evidence}” could be{' '}
                {p.candidates.map((c, i) => (
                  <span key={c}>
                    {i > 0 && ', '}
                    <Place id={c} />
                  </span>
                ))}{' '}
                — <Link to="/actions/$id" params={{ id: a.id }} search={{ edit: true }}>resolve in the editor</Link>
              </li>
            ))}
          </ul>
        </>
      )}
      {places && places.unmatched.length > 0 && (
        <p className="muted">Place-like names matched to nothing: {places.unmatched.map((u) => `“${u.evidence}”`).join(', ')}</p>
      )}
      <h3>Possible duplicates</h3>
      {duplicates.isPending ? (
        <p className="muted">Looking…</p>
      ) : duplicates.error ? (
        <ProblemNotice error={duplicates.error} />
      ) : duplicates.data.items.length === 0 ? (
        <p className="muted">No published {kindLabel(a.kind).toLowerCase()} with a similar title within a week.</p>
      ) : (
        <ul className="duplicates">
          {duplicates.data.items.map((d) => (
            <li key={d.action.id}>
              <Link to="/actions/$id" params={{ id: d.action.id }}>
                {d.action.title}
              </Link>{' '}
              <span className="muted">
                {d.action.occurredOn.date} · {Math.round(d.similarity * 100)}% similar · {d.daysApart} days apart
              </span>
            </li>
          ))}
        </ul>
      )}
      {writable ? (
        <div className="actions-bar">
          <button type="button" className="primary" onClick={onPublish} disabled={busy} aria-keyshortcuts="p">
            Publish
          </button>
          <button type="button" onClick={onReject} aria-keyshortcuts="r">
            Reject…
          </button>
          <Link className="button" to="/actions/$id" params={{ id: a.id }} search={{ edit: true }} aria-keyshortcuts="e">
            Edit, then publish
          </Link>
          <button type="button" onClick={onMerge} aria-keyshortcuts="m">
            Merge into…
          </button>
        </div>
      ) : (
        <p className="muted">Your key reads only: sign in with a curator key to publish or reject.</p>
      )}
    </section>
  );
}

function KeyboardHelp({ open, onClose }: { open: boolean; onClose(): void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts">
      <table className="keys">
        <tbody>
          {QUEUE_KEYS.map((k) => (
            <tr key={k.key}>
              <th scope="row">
                <kbd>{k.key}</kbd>
              </th>
              <td>{k.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </Dialog>
  );
}
