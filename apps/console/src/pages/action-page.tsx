import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, canWrite, fetchAction, isConflict, newKey, publishAction, unwrap, writeHeaders, type Action, type Schemas } from '../api';
import { ActionForm, CONTENT_FIELDS, contentOf, formFields, toContent, toDraft, type Draft } from '../components/action-form';
import { MergeDialog } from '../components/merge-dialog';
import { ReasonDialog } from '../components/reason-dialog';
import { ChangesTable, Field, Place, ProblemNotice, StatusBadge, Time, fieldLabel, kindLabel, placeLabel, useDocumentTitle } from '../components/ui';
import { changedFields, rebase } from '../lib/diff';
import { fieldMessages } from '../lib/field-errors';
import { isOwnEvent, useActionEvents } from '../live';
import { useAction, useHistory, useIntentKey, useTitleSearch } from '../queries';
import { actionRoute } from '../router';
import { useSession } from '../session';

/** One action: every field editable, its history event by event, its links, sources and fate. */
export function ActionPage() {
  const { id } = actionRoute.useParams();
  const action = useAction(id);
  // Asked for now, beside the action, rather than once the action has arrived and the
  // history panel renders: one round trip instead of two before the page is complete.
  useHistory(id);
  if (action.isPending) return <p>Loading…</p>;
  if (action.error) return <ProblemNotice error={action.error} />;
  return <ActionView key={id} action={action.data} />;
}

/** A dialog, with the version the curator saw when opening it: the If-Match of what it sends. */
type OpenDialog = { kind: 'reject' | 'retract' | 'dismiss' | 'merge'; version: number } | null;

function ActionView({ action }: { action: Action }) {
  useDocumentTitle(action.title);
  const { session } = useSession();
  const writable = canWrite(session);
  const queryClient = useQueryClient();
  const { edit } = actionRoute.useSearch();
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [notice, setNotice] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['action', action.id] });
  const open = (kind: NonNullable<OpenDialog>['kind']) => setDialog({ kind, version: action.version });

  // Another curator's change to this action while it is open: say so at once.
  useActionEvents(action.id, (e) => {
    if (!isOwnEvent(e)) setNotice(`Another curator just changed this action (${e.type}, version ${e.streamVersion}).`);
  });

  const acceptKey = useIntentKey(['accept', action.id, action.version]);
  const accept = useMutation({
    mutationFn: () =>
      unwrap(api().POST('/api/v1/actions/{id}/suggestion/accept', { params: { path: { id: action.id }, header: writeHeaders(acceptKey, action.version) }, body: {} })),
    onSuccess: () => refresh(),
  });
  const withReason =
    (path: '/api/v1/actions/{id}/rejection' | '/api/v1/actions/{id}/retraction' | '/api/v1/actions/{id}/suggestion/dismiss') => (reason: string, key: string) =>
      unwrap(api().POST(path, { params: { path: { id: action.id }, header: writeHeaders(key, dialog?.version ?? action.version) }, body: { reason } }));
  const done = () => {
    setDialog(null);
    void refresh();
  };

  return (
    <article className="action-page">
      <div className="page-head">
        <h1>{action.title}</h1>
        <span>
          <StatusBadge status={action.status} /> <span className="muted">version {action.version}</span>
        </span>
      </div>
      <p className="row-meta">
        {kindLabel(action.kind)} · {action.occurredOn.date} ({action.occurredOn.precision}) · acting: <Place id={action.actingJurisdictionId} /> · updated{' '}
        <Time at={action.updatedAt} />
      </p>
      {action.statusReason && (
        <p className="notice notice--info">
          {action.status === 'merged' ? 'Merged' : action.status === 'rejected' ? 'Rejected' : 'Retracted'}: {action.statusReason}
          {action.mergedInto && (
            <>
              {' '}
              — into{' '}
              <Link to="/actions/$id" params={{ id: action.mergedInto }}>
                the surviving action
              </Link>
            </>
          )}
        </p>
      )}
      <p role="status" className="status-line">
        {notice}
      </p>
      <ProblemNotice error={accept.error} />
      {writable && (
        <div className="actions-bar">
          {/* Publishing a proposal is the edit form's (so an edit in progress is saved with it). */}
          {action.status === 'proposed' && (
            <button type="button" onClick={() => open('reject')}>
              Reject…
            </button>
          )}
          {action.status === 'published' && (
            <button type="button" className="danger" onClick={() => open('retract')}>
              Retract…
            </button>
          )}
          {(action.status === 'proposed' || action.status === 'published') && (
            <button type="button" onClick={() => open('merge')}>
              Merge into…
            </button>
          )}
        </div>
      )}
      {action.suggestion && (
        <section className="panel notice--warn" aria-labelledby="suggestion-title">
          <h2 id="suggestion-title">Suggested correction from ingestion</h2>
          <p>{action.suggestion.reason}</p>
          <ChangesTable
            caption="What the source now says"
            changes={Object.entries(action.suggestion.changes).map(([field, after]) => ({ field, before: (action as Record<string, unknown>)[field], after }))}
          />
          {writable && (
            <div className="actions-bar">
              <button type="button" className="primary" onClick={() => accept.mutate()} disabled={accept.isPending}>
                Accept suggestion
              </button>
              <button type="button" onClick={() => open('dismiss')}>
                Dismiss suggestion…
              </button>
            </div>
          )}
        </section>
      )}
      <div className="action-layout">
        <div>
          <EditPanel action={action} writable={writable} startEditing={!!edit} />
        </div>
        <div>
          <LinksPanel action={action} writable={writable} />
          <SourcesPanel action={action} writable={writable} />
          <HistoryPanel id={action.id} />
        </div>
      </div>
      <ReasonDialog open={dialog?.kind === 'reject'} title="Reject this proposal" action="Reject" onClose={() => setDialog(null)} send={withReason('/api/v1/actions/{id}/rejection')} onDone={done} />
      <ReasonDialog open={dialog?.kind === 'retract'} title="Retract this action" action="Retract" onClose={() => setDialog(null)} send={withReason('/api/v1/actions/{id}/retraction')} onDone={done} />
      <ReasonDialog
        open={dialog?.kind === 'dismiss'}
        title="Dismiss the suggested correction"
        action="Dismiss"
        onClose={() => setDialog(null)}
        send={withReason('/api/v1/actions/{id}/suggestion/dismiss')}
        onDone={done}
      />
      <MergeDialog open={dialog?.kind === 'merge'} duplicate={{ ...action, version: dialog?.version ?? action.version }} onClose={() => setDialog(null)} onDone={done} />
    </article>
  );
}

interface Conflict {
  theirs: Action;
}

/**
 * The edit form. Saving sends only the fields changed since the version it was loaded from,
 * with If-Match on that version. When someone saved in between (409), an edit of other fields
 * than theirs is sent again on their version, and the page says so; an edit of a field they
 * changed too is not: the form shows what they changed and offers to reapply this edit on top
 * of their version, and the curator saves again. Nothing is overwritten without being seen.
 */
function EditPanel({ action, writable, startEditing }: { action: Action; writable: boolean; startEditing: boolean }) {
  const queryClient = useQueryClient();
  const [base, setBase] = useState(action);
  const [draft, setDraft] = useState<Draft>(() => toDraft(action));
  const [reason, setReason] = useState('');
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [reapplied, setReapplied] = useState<string[]>([]);
  const [notice, setNotice] = useState('');
  // The conflict takes the focus (the Save button it came from is disabled); when it is settled,
  // the focus goes back to Save, so the keyboard is never left on nothing.
  const conflictRef = useRef<HTMLDivElement>(null);
  const saveRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (conflict) conflictRef.current?.focus();
    else if (document.activeElement === document.body) saveRef.current?.focus();
  }, [conflict]);
  const mine = changedFields(contentOf(base), toContent(draft), CONTENT_FIELDS);
  const dirty = mine.length > 0;
  const changes = Object.fromEntries(mine.map((c) => [c.field, c.after])) as Schemas['ActionChanges'];
  const saveKey = useIntentKey(['correct', base.id, base.version, changes, reason]);

  // A newer version arriving (live or after a write) replaces an untouched form; an edited one
  // is kept, and its save will meet the conflict. Never an older one (a cached read).
  useEffect(() => {
    if (action.version > base.version && !dirty) {
      setBase(action);
      setDraft(toDraft(action));
    }
  }, [action, base.version, dirty]);

  const adopt = (fresh: Action) => {
    queryClient.setQueryData(['action', fresh.id], fresh);
    setBase(fresh);
    setDraft(toDraft(fresh));
  };

  const save = useMutation({
    mutationFn: async ({ andPublish }: { andPublish: boolean }) => {
      let version = base.version;
      if (dirty) {
        const patch = (at: number, key: string) =>
          unwrap(api().PATCH('/api/v1/actions/{id}', { params: { path: { id: base.id }, header: writeHeaders(key, at) }, body: { changes, reason } }));
        try {
          version = (await patch(base.version, saveKey)).version;
        } catch (error) {
          if (!isConflict(error)) throw error;
          // Someone saved first. Only the fields of this edit are sent, so when they changed
          // other fields (a source attached, the date fixed) both changes can stand, as a
          // three-way merge: the edit is sent again on their version and the curator is told.
          // When they changed a field of this edit too, nothing is sent: the curator decides.
          const current = await fetchAction(base.id);
          const overlap = rebase(contentOf(base), toContent(draft), contentOf(current), CONTENT_FIELDS).conflicts;
          if (overlap.length > 0) {
            setConflict({ theirs: current });
            throw error;
          }
          version = (await patch(current.version, newKey())).version;
          const theirs = changedFields(contentOf(base), contentOf(current), CONTENT_FIELDS).map((c) => fieldLabel(c.field).toLowerCase());
          setNotice(`Saved on top of version ${current.version}, saved meanwhile by someone else${theirs.length ? ` (${theirs.join(', ')})` : ''}; both changes stand.`);
        }
        setReason('');
        setReapplied([]);
        adopt(await fetchAction(base.id));
      }
      // Saved first, so a refused publication leaves the correction saved and says so alone.
      if (andPublish) {
        await publishAction(base.id, version, newKey());
        adopt(await fetchAction(base.id));
      }
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['action', base.id] });
      void queryClient.invalidateQueries({ queryKey: ['actions'] });
    },
  });

  const reapply = () => {
    if (!conflict) return;
    const r = rebase(contentOf(base), toContent(draft), contentOf(conflict.theirs), CONTENT_FIELDS);
    queryClient.setQueryData(['action', conflict.theirs.id], conflict.theirs);
    setBase(conflict.theirs);
    setDraft(toDraft(r.merged as Schemas['ActionChanges']));
    setReapplied(r.conflicts);
    setConflict(null);
    save.reset();
  };
  const discard = () => {
    if (!conflict) return;
    adopt(conflict.theirs);
    setReapplied([]);
    setConflict(null);
    save.reset();
  };

  const messages = save.error instanceof ApiError && !conflict ? fieldMessages(save.error.problem.errors, formFields(draft), 'changes') : {};
  const submit = (e: FormEvent, andPublish = false) => {
    e.preventDefault();
    setNotice('');
    save.mutate({ andPublish });
  };
  const editable = writable && (base.status === 'proposed' || base.status === 'published');

  return (
    <section className="panel" aria-labelledby="edit-title">
      <h2 id="edit-title">{editable ? 'Edit' : 'Fields'}</h2>
      {startEditing && editable && base.status === 'proposed' && <p className="muted">Correct what the source got wrong, then save and publish.</p>}
      {conflict && (
        <div className="notice notice--warn" role="alert" tabIndex={-1} ref={conflictRef}>
          <strong>Someone else saved version {conflict.theirs.version} while you were editing version {base.version}.</strong> Nothing of yours was saved.
          <ChangesTable caption="What they changed" changes={changedFields(contentOf(base), contentOf(conflict.theirs), CONTENT_FIELDS)} />
          <ChangesTable caption="Your edit" changes={mine} />
          <div className="actions-bar">
            <button type="button" className="primary" onClick={reapply}>
              Reapply my edit on their version
            </button>
            <button type="button" onClick={discard}>
              Discard my edit
            </button>
          </div>
        </div>
      )}
      {notice && (
        <p role="status" className="status-line">
          {notice}
        </p>
      )}
      {reapplied.length > 0 && (
        <p className="notice notice--warn">
          You and they both changed: {reapplied.map((f) => fieldLabel(f).toLowerCase()).join(', ')}. Your values are in the form; check them before saving.
        </p>
      )}
      {editable && <AmbiguousPlaces action={base} draft={draft} onChange={setDraft} />}
      <form onSubmit={(e) => submit(e)} aria-labelledby="edit-title">
        <ActionForm draft={draft} onChange={setDraft} messages={messages} disabled={!editable || !!conflict} focusTitle={startEditing && editable} />
        {editable && (
          <>
            <Field label="Reason for the correction" messages={messages.reason} hint="Kept in the history with your change.">
              {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} disabled={!!conflict} />}
            </Field>
            <ProblemNotice error={conflict ? null : save.error} messages={messages} />
            <div className="actions-bar">
              <button type="submit" className="primary" ref={saveRef} disabled={!dirty || save.isPending || !!conflict}>
                Save correction
              </button>
              {base.status === 'proposed' && (
                <button type="button" onClick={(e) => submit(e, true)} disabled={save.isPending || !!conflict}>
                  {dirty ? 'Save and publish' : 'Publish'}
                </button>
              )}
              <span className="muted">{dirty ? `${mine.length} field${mine.length > 1 ? 's' : ''} changed` : 'No change yet'}</span>
            </div>
          </>
        )}
      </form>
    </section>
  );
}

/**
 * Names ingestion read in the source that match several places: never picked for the curator,
 * who adds the right one (or none) to the affected jurisdictions here, then saves.
 */
function AmbiguousPlaces({ action, draft, onChange }: { action: Action; draft: Draft; onChange(d: Draft): void }) {
  const ambiguous = action.proposal?.places?.ambiguous ?? [];
  if (ambiguous.length === 0) return null;
  const affected = draft.affected.split(/\n|,/).map((s) => s.trim());
  return (
    <div className="notice notice--info">
      <strong>Ambiguous names read in the source</strong>
      <ul>
        {ambiguous.map((a) => (
          <li key={a.evidence}>
            “{a.evidence}”:{' '}
            {a.candidates.map((id) =>
              affected.includes(id) ? (
                <span key={id} className="muted">
                  <Place id={id} /> (added){' '}
                </span>
              ) : (
                <button key={id} type="button" onClick={() => onChange({ ...draft, affected: `${draft.affected.trim()}\n${id}`.trim() })}>
                  Add {placeLabel(id)}
                </button>
              ),
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

const RELATIONS = ['responds_to', 'challenges', 'implements', 'enjoins', 'amends', 'supersedes', 'joins', 'cites'] as const;

function LinksPanel({ action, writable }: { action: Action; writable: boolean }) {
  const queryClient = useQueryClient();
  const [relation, setRelation] = useState<(typeof RELATIONS)[number]>('responds_to');
  const [q, setQ] = useState('');
  const [target, setTarget] = useState('');
  const found = useTitleSearch(q, ['published', 'proposed']);
  const linkKey = useIntentKey(['link', action.id, relation, target]);
  const link = useMutation({
    mutationFn: () =>
      unwrap(api().POST('/api/v1/actions/{id}/links', { params: { path: { id: action.id }, header: writeHeaders(linkKey) }, body: { relation, targetId: target } })),
    onSuccess: () => {
      setQ('');
      setTarget('');
      void queryClient.invalidateQueries({ queryKey: ['action'] });
    },
  });
  const messages = link.error instanceof ApiError ? fieldMessages(link.error.problem.errors, ['relation', 'targetId']) : {};
  return (
    <section className="panel" aria-labelledby="links-title">
      <h2 id="links-title">Links</h2>
      {action.relations.length === 0 && action.incoming.length === 0 && <p className="muted">No link to or from this action.</p>}
      <ul>
        {action.relations.map((r) => (
          <li key={`${r.relation}-${r.targetId}`}>
            this {r.relation.replace('_', ' ')}{' '}
            <Link to="/actions/$id" params={{ id: r.targetId }}>
              {r.targetId}
            </Link>
          </li>
        ))}
        {action.incoming.map((r) => (
          <li key={`in-${r.relation}-${r.sourceId}`}>
            <Link to="/actions/$id" params={{ id: r.sourceId }}>
              {r.sourceId}
            </Link>{' '}
            {r.relation.replace('_', ' ')} this
          </li>
        ))}
      </ul>
      {writable && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            link.mutate();
          }}
          aria-label="Link to another action"
        >
          <Field label="Relation" messages={messages.relation}>
            {(p) => (
              <select {...p} value={relation} onChange={(e) => setRelation(e.target.value as (typeof RELATIONS)[number])}>
                {RELATIONS.map((r) => (
                  <option key={r} value={r}>
                    {r.replace('_', ' ')}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Find the other action by title" messages={messages.targetId}>
            {(p) => <input {...p} type="search" value={q} onChange={(e) => setQ(e.target.value)} />}
          </Field>
          {found.data && (
            <fieldset>
              <legend>Link to</legend>
              {found.data.items.filter((a) => a.id !== action.id).length === 0 && <p className="muted">No action has that in its title.</p>}
              {found.data.items
                .filter((a) => a.id !== action.id)
                .map((a) => (
                  <label key={a.id} className="choice">
                    <input type="radio" name="link-target" value={a.id} checked={target === a.id} onChange={() => setTarget(a.id)} /> {a.title}{' '}
                    <span className="muted">({a.occurredOn.date})</span>
                  </label>
                ))}
            </fieldset>
          )}
          <ProblemNotice error={link.error} messages={messages} />
          <button type="submit" disabled={!target || link.isPending}>
            Add link
          </button>
        </form>
      )}
    </section>
  );
}

function SourcesPanel({ action, writable }: { action: Action; writable: boolean }) {
  const queryClient = useQueryClient();
  const [source, setSource] = useState({ url: '', publisher: '', title: '' });
  const attachKey = useIntentKey(['source', action.id, source]);
  const attach = useMutation({
    mutationFn: () =>
      unwrap(
        api().POST('/api/v1/actions/{id}/sources', {
          params: { path: { id: action.id }, header: writeHeaders(attachKey) },
          body: { source: { url: source.url.trim(), publisher: source.publisher.trim(), ...(source.title.trim() ? { title: source.title.trim() } : {}) } },
        }),
      ),
    onSuccess: () => {
      setSource({ url: '', publisher: '', title: '' });
      void queryClient.invalidateQueries({ queryKey: ['action', action.id] });
    },
  });
  const messages = attach.error instanceof ApiError ? fieldMessages(attach.error.problem.errors, ['url', 'publisher', 'title'], 'source') : {};
  return (
    <section className="panel" aria-labelledby="sources-title">
      <h2 id="sources-title">Sources</h2>
      <ul>
        {action.sources.map((s) => (
          <li key={s.url}>
            <a href={s.url} target="_blank" rel="noreferrer">
              {s.title ?? s.url}
            </a>{' '}
            <span className="muted">— {s.publisher}</span>
          </li>
        ))}
      </ul>
      {writable && (
        <form
          aria-label="Attach a source"
          onSubmit={(e) => {
            e.preventDefault();
            attach.mutate();
          }}
        >
          <Field label="Source URL" messages={messages.url}>
            {(p) => <input {...p} type="url" value={source.url} onChange={(e) => setSource({ ...source, url: e.target.value })} />}
          </Field>
          <Field label="Publisher" messages={messages.publisher}>
            {(p) => <input {...p} value={source.publisher} onChange={(e) => setSource({ ...source, publisher: e.target.value })} />}
          </Field>
          <Field label="Source title (optional)" messages={messages.title}>
            {(p) => <input {...p} value={source.title} onChange={(e) => setSource({ ...source, title: e.target.value })} />}
          </Field>
          <ProblemNotice error={attach.error} messages={messages} />
          <button type="submit" disabled={attach.isPending}>
            Attach source
          </button>
        </form>
      )}
    </section>
  );
}

/** Every event of the action, oldest first, each with who, when, why and what it changed. */
function HistoryPanel({ id }: { id: string }) {
  const history = useHistory(id);
  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {history.error && <ProblemNotice error={history.error} />}
      <ol className="history">
        {history.data?.events
          .slice()
          .reverse()
          .map((e) => {
            const reason = (e.data as { reason?: string } | null)?.reason;
            return (
              <li key={e.version}>
                <span className="event-type">
                  v{e.version} {e.type}
                </span>{' '}
                <span className="muted">
                  by <span title={e.metadata.actor}>{e.metadata.actorName ?? e.metadata.actor ?? 'unknown'}</span> · <Time at={e.recordedAt} />
                </span>
                {reason && <p className="reason">Reason: {reason}</p>}
                {e.type !== 'ActionRecorded' && e.type !== 'ActionProposed' && <ChangesTable changes={e.changes} />}
              </li>
            );
          })}
      </ol>
    </section>
  );
}
