import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, canWrite, unwrap, type Schemas } from '../api';
import { ReasonDialog } from '../components/reason-dialog';
import { TableWrap } from '../components/table-wrap';
import { Field, ProblemNotice, StatusBadge, Time, useDocumentTitle } from '../components/ui';
import { useSession } from '../session';

type Source = Schemas['IngestionSource'];
type Run = Schemas['IngestionRun'];
type ParkedItem = Schemas['ParkedItem'];

/** How often sources and runs are read again while a run is going (or was just asked for). */
const POLL_MS = 2_000;
/** How long to keep looking after "Run now" for a queued run to show up as running. */
const WATCH_MS = 20_000;
const RUNS_PAGE = 25;
const PARKED_PAGE = 25;

/**
 * Ingestion: the sources and when they run, what each run did, and the items that could not be
 * stored (parked) to retry once the cause is fixed, or set aside.
 */
export function IngestionPage() {
  useDocumentTitle('Ingestion');
  const { session } = useSession();
  const writable = canWrite(session);
  const queryClient = useQueryClient();
  const [message, setMessage] = useState('');
  const [runsSource, setRunsSource] = useState('');
  const [dismissing, setDismissing] = useState<ParkedItem | null>(null);

  // After "Run now", a queued run shows up only once the worker takes it: keep looking a while.
  const [watch, setWatch] = useState(0);
  const [watching, setWatching] = useState(false);
  useEffect(() => {
    if (watch === 0) return;
    setWatching(true);
    const timer = setTimeout(() => setWatching(false), WATCH_MS);
    return () => clearTimeout(timer);
  }, [watch]);

  const [running, setRunning] = useState(false);
  const poll = running || watching ? POLL_MS : false;

  const sources = useQuery({
    queryKey: ['ingestion', 'sources'],
    queryFn: () => unwrap(api().GET('/api/v1/ingestion/sources')),
    refetchInterval: poll,
  });
  const runs = useInfiniteQuery({
    queryKey: ['ingestion', 'runs', runsSource],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api().GET('/api/v1/ingestion/runs', {
          params: { query: { limit: RUNS_PAGE, ...(runsSource ? { source: runsSource } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: poll,
  });
  const parked = useInfiniteQuery({
    queryKey: ['ingestion', 'parked', 'parked'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api().GET('/api/v1/ingestion/parked', {
          params: { query: { status: 'parked', limit: PARKED_PAGE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Polled with the runs: a run quick enough to finish between two looks still shows its items.
    refetchInterval: poll,
  });

  const sourceList = useMemo(() => sources.data?.items ?? [], [sources.data]);
  const runList = useMemo(() => runs.data?.pages.flatMap((p) => p.items) ?? [], [runs.data]);
  const parkedList = parked.data?.pages.flatMap((p) => p.items) ?? [];
  const sourceName = useCallback((id: string) => sourceList.find((s) => s.id === id)?.name ?? id, [sourceList]);

  // Notice runs finishing: say how they ended, and read the parked list again (a run may park).
  // Watched: the runs seen running, and the one "Run now" just started (which may be over before
  // the lists are read again, and so never be seen running).
  const runningIds = useRef<Set<number>>(new Set());
  useEffect(() => {
    const known = [...runList, ...sourceList.flatMap((s) => (s.lastRun ? [s.lastRun] : []))];
    const seen = new Set(known.map((r) => r.id));
    const now = new Set(known.filter((r) => r.status === 'running').map((r) => r.id));
    const watched = [...runningIds.current];
    const finished = watched.flatMap((id) => (now.has(id) ? [] : known.filter((r) => r.id === id && r.status !== 'running').slice(0, 1)));
    // A started run the lists read so far do not show yet stays watched until they do.
    runningIds.current = new Set([...now, ...watched.filter((id) => !seen.has(id))]);
    setRunning(now.size > 0);
    if (finished.length > 0) {
      setMessage(finished.map((r) => `Run #${r.id} of ${sourceName(r.sourceId)} ${r.status}: ${runCounts(r)}.`).join(' '));
      void queryClient.invalidateQueries({ queryKey: ['ingestion', 'parked'] });
      void queryClient.invalidateQueries({ queryKey: ['ingestion', 'sources'] });
    }
  }, [runList, sourceList, sourceName, queryClient]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['ingestion'] });

  const run = useMutation({
    mutationFn: (source: Source) => unwrap(api().POST('/api/v1/ingestion/sources/{id}/runs', { params: { path: { id: source.id } }, body: {} })),
    onMutate: () => setMessage(''),
    onSuccess: (started, source) => {
      // Its result is reported when the lists show it finished, however soon that is.
      if (started.mode !== 'queued') runningIds.current.add(started.run.id);
      setMessage(
        started.mode === 'queued'
          ? `Run of ${source.name} queued (job ${started.jobId}); it shows under Recent runs once the worker starts it.`
          : `Run #${started.run.id} of ${source.name} ${started.run.status === 'running' ? 'started' : started.run.status}.`,
      );
      setWatch((w) => w + 1);
      void refresh();
    },
  });

  const retry = useMutation({
    mutationFn: (item: ParkedItem) => unwrap(api().POST('/api/v1/ingestion/parked/{id}/retry', { params: { path: { id: String(item.id) } }, body: {} })),
    onMutate: () => setMessage(''),
    onSuccess: (result, item) => {
      setMessage(`Parked item ${item.id} stored by run #${result.run.id}: ${runCounts(result.run)}.`);
      void refresh();
    },
  });

  // Dismissed with the curator's reason; the route takes no Idempotency-Key (dismissed twice is a 409 NOT_PARKED).
  const dismiss = (item: ParkedItem, reason: string) =>
    unwrap(api().POST('/api/v1/ingestion/parked/{id}/dismiss', { params: { path: { id: String(item.id) } }, body: { reason } }));
  const dismissed = (item: ParkedItem) => {
    setMessage(`Parked item ${item.id} dismissed.`);
    setDismissing(null);
    void refresh();
  };

  return (
    <div className="ingestion">
      <h1>Ingestion</h1>
      <p role="status" className="status-line">
        {message}
      </p>
      {!writable && <p className="muted">Your key reads only: sign in with a curator key to run sources and retry or dismiss parked items.</p>}

      <section aria-labelledby="sources-heading">
        <h2 id="sources-heading">Sources</h2>
        <ProblemNotice error={sources.error} />
        {run.error ? (
          <div className="mutation-error">
            <p>Run now{run.variables ? ` for ${run.variables.name}` : ''} did not start.</p>
            <ProblemNotice error={run.error} />
          </div>
        ) : null}
        {sources.isPending ? (
          <p>Loading…</p>
        ) : sourceList.length === 0 && sources.isSuccess ? (
          <p className="empty">No sources are configured.</p>
        ) : sourceList.length > 0 ? (
          <SourcesTable sources={sourceList} writable={writable} pendingId={run.isPending ? run.variables?.id : undefined} onRun={(s) => run.mutate(s)} />
        ) : null}
      </section>

      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">Recent runs</h2>
        <form className="filters" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
          <Field label="Source">
            {(props) => (
              <select {...props} value={runsSource} onChange={(e) => setRunsSource(e.target.value)}>
                <option value="">All sources</option>
                {sourceList.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </form>
        <ProblemNotice error={runs.error} />
        {runs.isPending ? (
          <p>Loading…</p>
        ) : runList.length === 0 && runs.isSuccess ? (
          <p className="empty">No runs{runsSource ? ` of ${sourceName(runsSource)}` : ''} yet.</p>
        ) : runList.length > 0 ? (
          <RunsTable runs={runList} sourceName={sourceName} />
        ) : null}
        {runs.hasNextPage && (
          <button type="button" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
            {runs.isFetchingNextPage ? 'Loading…' : 'Load more runs'}
          </button>
        )}
      </section>

      <section aria-labelledby="parked-heading">
        <h2 id="parked-heading">Parked items</h2>
        <p className="muted">Items a source sent that could not be stored. Retry once the adapter or the ledger is fixed; dismiss what will never fit.</p>
        <ProblemNotice error={parked.error} />
        {retry.error ? (
          <div className="mutation-error">
            <p>Parked item {retry.variables?.id} was not stored.</p>
            <ProblemNotice error={retry.error} />
          </div>
        ) : null}
        {parked.isPending ? (
          <p>Loading…</p>
        ) : parkedList.length === 0 && parked.isSuccess ? (
          <p className="empty">Nothing is parked.</p>
        ) : parkedList.length > 0 ? (
          <ul className="parked-list">
            {parkedList.map((item) => (
              <ParkedCard
                key={item.id}
                item={item}
                sourceName={sourceName(item.sourceId)}
                writable={writable}
                retrying={retry.isPending && retry.variables?.id === item.id}
                onRetry={() => retry.mutate(item)}
                onDismiss={() => setDismissing(item)}
              />
            ))}
          </ul>
        ) : null}
        {parked.hasNextPage && (
          <button type="button" onClick={() => void parked.fetchNextPage()} disabled={parked.isFetchingNextPage}>
            {parked.isFetchingNextPage ? 'Loading…' : 'Load more parked items'}
          </button>
        )}
      </section>

      <ReasonDialog
        open={dismissing !== null}
        title={dismissing ? `Dismiss parked item ${dismissing.id}` : 'Dismiss parked item'}
        action="Dismiss"
        onClose={() => setDismissing(null)}
        send={(reason) => dismiss(dismissing!, reason)}
        onDone={() => dismissing && dismissed(dismissing)}
      >
        {dismissing && (
          <p>
            The item from {sourceName(dismissing.sourceId)}
            {dismissing.externalId ? ` (${dismissing.externalId})` : ''} will not be retried. It stays listed as dismissed, with your reason.
          </p>
        )}
      </ReasonDialog>
    </div>
  );
}

function SourcesTable({
  sources,
  writable,
  pendingId,
  onRun,
}: {
  sources: Source[];
  writable: boolean;
  pendingId: string | undefined;
  onRun(source: Source): void;
}) {
  return (
    <TableWrap label="Sources table">
      <table className="sources-table">
        <caption>Sources, their schedules and their last runs</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Type</th>
            <th scope="col">Enabled</th>
            <th scope="col">Schedule</th>
            <th scope="col">Last run</th>
            <th scope="col">Next run</th>
            <th scope="col">Parked</th>
            <th scope="col">Run now</th>
          </tr>
        </thead>
        <tbody>
          {sources.map((s) => {
            const busy = s.lastRun?.status === 'running';
            return (
              <tr key={s.id}>
                <th scope="row">{s.name}</th>
                <td>
                  <code>{s.id}</code>
                </td>
                <td>{s.type}</td>
                <td>{s.enabled ? 'Yes' : 'No'}</td>
                <td>
                  <code>{s.schedule}</code>
                </td>
                <td>
                  {s.lastRun ? (
                    <>
                      <StatusBadge status={s.lastRun.status} /> <Time at={s.lastRun.startedAt} />
                      <br />
                      <span className="muted">{runCounts(s.lastRun)}</span>
                    </>
                  ) : (
                    <span className="muted">Never run</span>
                  )}
                </td>
                <td>{s.nextRunAt ? <Time at={s.nextRunAt} /> : <span className="muted">{s.enabled ? 'Not scheduled (no worker)' : 'Disabled'}</span>}</td>
                <td>{s.parkedItems}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Run ${s.name} now`}
                    disabled={!writable || busy || pendingId === s.id}
                    title={!writable ? 'Needs a curator key' : busy ? 'A run is going' : pendingId === s.id ? 'Starting…' : undefined}
                    onClick={() => onRun(s)}
                  >
                    Run
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}

function RunsTable({ runs, sourceName }: { runs: Run[]; sourceName(id: string): string }) {
  return (
    <TableWrap label="Runs table">
      <table className="runs-table">
        <caption>Runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Source</th>
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col" className="num">Pages</th>
            <th scope="col" className="num">Fetched</th>
            <th scope="col" className="num">Proposed</th>
            <th scope="col" className="num">Corrected</th>
            <th scope="col" className="num">Suggested</th>
            <th scope="col" className="num">Unchanged</th>
            <th scope="col" className="num">Parked</th>
            <th scope="col" className="num">Failed</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <th scope="row">#{r.id}</th>
              <td>{sourceName(r.sourceId)}</td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>{r.trigger}</td>
              <td>
                <Time at={r.startedAt} />
              </td>
              <td>{r.durationMs !== null ? duration(r.durationMs) : r.status === 'running' ? 'running' : '—'}</td>
              <td className="num">{r.pages}</td>
              <td className="num">{r.fetched}</td>
              <td className="num">{r.proposed}</td>
              <td className="num">{r.corrected}</td>
              <td className="num">{r.suggested}</td>
              <td className="num">{r.unchanged}</td>
              <td className="num">{r.parked}</td>
              <td className="num">{r.failed}</td>
              <td className="run-error">{r.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function ParkedCard({
  item,
  sourceName,
  writable,
  retrying,
  onRetry,
  onDismiss,
}: {
  item: ParkedItem;
  sourceName: string;
  writable: boolean;
  retrying: boolean;
  onRetry(): void;
  onDismiss(): void;
}) {
  return (
    <li className="parked-item">
      <h3>
        Parked item {item.id} <span className="muted">· {sourceName}</span>
      </h3>
      <dl className="facts">
        <dt>Source</dt>
        <dd>
          {sourceName} <code>{item.sourceId}</code>
        </dd>
        <dt>External id</dt>
        <dd>{item.externalId ? <code className="external-id">{item.externalId}</code> : <span className="muted">none</span>}</dd>
        <dt>Stage</dt>
        <dd>{item.stage === 'parse' ? 'Parse: the source’s item could not be read' : 'Propose: the ledger refused the proposal'}</dd>
        <dt>Reason</dt>
        <dd className="parked-reason">
          {item.reason}
        </dd>
        <dt>Parked</dt>
        <dd>
          <Time at={item.parkedAt} />
          {item.runId !== null && <span className="muted"> by run #{item.runId}</span>}
        </dd>
        {item.status !== 'parked' && (
          <>
            <dt>{item.status === 'dismissed' ? 'Dismissed' : 'Retried'}</dt>
            <dd>
              {item.resolvedAt && <Time at={item.resolvedAt} />}
              {item.resolvedBy && <span className="muted"> by {item.resolvedBy}</span>}
            </dd>
          </>
        )}
        {item.resolutionReason !== null && (
          <>
            <dt>Why dismissed</dt>
            <dd className="parked-reason">{item.resolutionReason}</dd>
          </>
        )}
      </dl>
      <details>
        <summary>Raw payload</summary>
        <pre className="raw">{rawText(item.raw)}</pre>
      </details>
      <div className="actions-bar">
        <button type="button" aria-label={`Retry parked item ${item.id}`} disabled={!writable || retrying} onClick={onRetry}>
          {retrying ? 'Retrying…' : 'Retry'}
        </button>
        <button type="button" aria-label={`Dismiss parked item ${item.id}`} disabled={!writable} onClick={onDismiss}>
          Dismiss…
        </button>
      </div>
    </li>
  );
}

/** What a run did, in a line: the counts that are not zero (fetched always). */
function runCounts(r: Run): string {
  const counts: [string, number][] = [
    ['proposed', r.proposed],
    ['corrected', r.corrected],
    ['suggested', r.suggested],
    ['unchanged', r.unchanged],
    ['parked', r.parked],
    ['failed', r.failed],
  ];
  return [`fetched ${r.fetched}`, ...counts.filter(([, n]) => n > 0).map(([label, n]) => `${label} ${n}`)].join(', ');
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function rawText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  try {
    return JSON.stringify(raw, null, 2) ?? String(raw);
  } catch {
    return String(raw);
  }
}
