import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, unwrap, type Schemas } from '../api';
import { TableWrap } from '../components/table-wrap';
import { Field, KIND_LABELS, Place, ProblemNotice, StatusBadge, kindLabel, placeLabel, useDocumentTitle } from '../components/ui';
import { fieldMessages } from '../lib/field-errors';
import { jurisdictionRoute, jurisdictionsRoute } from '../router';

type Level = Schemas['JurisdictionSummary']['level'];
type TimelineEntry = Schemas['TimelineEntry'];

const LEVELS: readonly Level[] = ['federal', 'state', 'county', 'municipal', 'territorial', 'tribal'];
const STATUSES = ['proposed', 'published', 'rejected', 'retracted', 'merged'] as const;
const isLevel = (v: string | undefined): v is Level => !!v && (LEVELS as readonly string[]).includes(v);
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Entries per timeline page; the picture shows the first page, the table the same and more. */
const PAGE_SIZE = 50;
/** Entries per request of the CSV download, which follows X-Next-Cursor to the end. */
const CSV_PAGE_SIZE = 500;
const CSV_MAX_PAGES = 200;

// ─── The directory ────────────────────────────────────────────────────────────────────────────

/** The jurisdiction directory: search by name, narrow by level, open a timeline. */
export function JurisdictionsPage() {
  useDocumentTitle('Jurisdictions');
  const search = jurisdictionsRoute.useSearch();
  const navigate = useNavigate({ from: jurisdictionsRoute.fullPath });
  const q = search.q?.trim() ?? '';
  const level = isLevel(search.level) ? search.level : undefined;

  const directory = useInfiniteQuery({
    queryKey: ['jurisdictions', 'directory', q, level],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api().GET('/api/v1/jurisdictions', {
          params: { query: { limit: 50, ...(q ? { q } : {}), ...(level ? { level } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = directory.data?.pages.flatMap((p) => p.items) ?? [];
  const messages = directory.error instanceof ApiError ? fieldMessages(directory.error.problem.errors, ['q', 'level'], 'query') : {};

  return (
    <div className="directory">
      <h1>Jurisdictions</h1>
      <DirectoryForm
        key={`${search.q ?? ''}|${search.level ?? ''}`}
        q={search.q ?? ''}
        level={search.level ?? ''}
        messages={messages}
        onSearch={(next) => void navigate({ search: { q: next.q.trim() || undefined, level: next.level || undefined } })}
      />
      <p role="status" className="status-line">
        {directory.isPending
          ? 'Searching…'
          : directory.isSuccess
            ? items.length === 0
              ? `No jurisdiction${q ? ` named like “${q}”` : ''}${level ? ` at the ${level} level` : ''}.`
              : `${items.length}${directory.hasNextPage ? '+' : ''} jurisdiction${items.length === 1 ? '' : 's'}${q ? ` named like “${q}”` : ''}${level ? ` at the ${level} level` : ''}.`
            : ''}
      </p>
      <ProblemNotice error={directory.error} messages={messages} />
      {items.length > 0 && (
        <ul className="directory-list">
          {items.map((j) => (
            <li key={j.id}>
              <Link to="/jurisdictions/$id" params={{ id: j.id }}>
                {j.displayName}
              </Link>{' '}
              <span className="muted">
                {capitalise(j.level)} · {j.actionCount} action{j.actionCount === 1 ? '' : 's'}
              </span>{' '}
              <code className="ocd-id">{j.id}</code>
            </li>
          ))}
        </ul>
      )}
      {directory.hasNextPage && (
        <button type="button" onClick={() => void directory.fetchNextPage()} disabled={directory.isFetchingNextPage}>
          {directory.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}

function DirectoryForm({
  q: initialQ,
  level: initialLevel,
  messages,
  onSearch,
}: {
  q: string;
  level: string;
  messages: Record<string, string[]>;
  onSearch(next: { q: string; level: string }): void;
}) {
  const [q, setQ] = useState(initialQ);
  const [level, setLevel] = useState(initialLevel);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch({ q, level });
  };
  return (
    <form role="search" className="filters" onSubmit={submit}>
      <Field label="Search the directory" hint="Part of the name, any case" messages={messages.q}>
        {(props) => <input {...props} type="search" value={q} maxLength={200} onChange={(e) => setQ(e.target.value)} />}
      </Field>
      <Field label="Level" messages={messages.level}>
        {(props) => (
          <select {...props} value={level} onChange={(e) => setLevel(e.target.value)}>
            <option value="">All levels</option>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {capitalise(l)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" className="primary">
        Search
      </button>
    </form>
  );
}

// ─── One jurisdiction's timeline ──────────────────────────────────────────────────────────────

interface TimelineFilters {
  from?: string;
  to?: string;
  level?: string;
  kind?: string;
  status?: string;
  asOf?: string;
  /** false: only what sits on the jurisdiction itself */
  inherited?: boolean;
}

/** The timeline endpoint's query for the page's filters (empty ones left out). */
function timelineQuery(f: TimelineFilters) {
  return {
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    ...(f.level ? { level: f.level } : {}),
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.asOf ? { asOf: f.asOf } : {}),
    ...(f.inherited === false ? { inherited: 'false' as const } : {}),
  };
}

/** A jurisdiction's timeline: as a picture, as a CSV download, and as a table to work from. */
export function JurisdictionPage() {
  const { id } = jurisdictionRoute.useParams();
  const search = jurisdictionRoute.useSearch();
  const navigate = useNavigate({ from: jurisdictionRoute.fullPath });
  const filters: TimelineFilters = {
    from: search.from,
    to: search.to,
    level: search.level,
    kind: search.kind,
    status: search.status,
    asOf: search.asOf,
    inherited: search.inherited,
  };
  const query = timelineQuery(filters);

  const jurisdiction = useQuery({
    queryKey: ['jurisdictions', 'detail', id],
    queryFn: () => unwrap(api().GET('/api/v1/jurisdictions/{id}', { params: { path: { id } } })),
  });
  const name = jurisdiction.data?.name ?? placeLabel(id);
  useDocumentTitle(name);

  const timeline = useInfiniteQuery({
    queryKey: ['timeline', id, 'entries', query],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api().GET('/api/v1/jurisdictions/{id}/timeline', {
          params: { path: { id }, query: { ...query, limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = timeline.data?.pages.flatMap((p) => p.entries) ?? [];
  const firstPage = timeline.data?.pages[0]?.entries ?? [];

  // The picture: the same first page, as the API draws it. Read with the signed-in key (reads
  // may need one), so it is fetched as text and shown from an object URL, not an <img src>.
  const picture = useQuery({
    queryKey: ['timeline', id, 'svg', query],
    queryFn: async () => {
      const result = await api().GET('/api/v1/jurisdictions/{id}/timeline', {
        params: { path: { id }, query: { ...query, format: 'svg', limit: PAGE_SIZE } },
        parseAs: 'text',
      });
      const svg = await unwrap(Promise.resolve(result));
      return { svg, more: !!result.response.headers.get('x-next-cursor') };
    },
  });
  const pictureUrl = useObjectUrl(picture.data?.svg, 'image/svg+xml');

  const [message, setMessage] = useState('');
  const csv = useMutation({
    mutationFn: () => downloadCsv(id, query, csvFileName(jurisdiction.data?.name ?? placeLabel(id), filters.asOf)),
    onSuccess: ({ rows, fileName }) => setMessage(`Downloaded ${rows} ${rows === 1 ? 'entry' : 'entries'} as ${fileName}.`),
    onMutate: () => setMessage('Preparing the CSV…'),
    onError: () => setMessage(''),
  });

  const messages = timeline.error instanceof ApiError ? fieldMessages(timeline.error.problem.errors, ['from', 'to', 'level', 'kind', 'status', 'inherited', 'asOf'], 'query') : {};
  const filtered = Object.values(query).length > 0;

  return (
    <div className="jurisdiction">
      <h1>{name}</h1>
      {jurisdiction.error ? (
        <ProblemNotice error={jurisdiction.error} />
      ) : (
        <JurisdictionFacts id={id} detail={jurisdiction.data} />
      )}

      <TimelineFilterForm
        key={JSON.stringify(query)}
        filters={filters}
        messages={messages}
        onApply={(next) => void navigate({ search: next })}
        onReset={() => void navigate({ search: {} })}
      />

      <section aria-labelledby="timeline-heading" className="timeline">
        <div className="page-head">
          <h2 id="timeline-heading">Timeline{filters.asOf ? ` as of ${filters.asOf}` : ''}</h2>
          <button type="button" onClick={() => csv.mutate()} disabled={csv.isPending || !!timeline.error}>
            {csv.isPending ? 'Preparing CSV…' : 'Download CSV'}
          </button>
        </div>
        <p role="status" className="status-line">
          {message}
        </p>
        <ProblemNotice error={csv.error} />
        <ProblemNotice error={timeline.error} messages={messages} />

        {!timeline.error && (
          <figure className="timeline-figure">
            {picture.isPending ? (
              <p className="muted">Drawing the timeline…</p>
            ) : picture.error ? (
              <ProblemNotice error={picture.error} />
            ) : pictureUrl ? (
              <>
                <img className="timeline-picture" decoding="async" src={pictureUrl} alt={pictureAlt(name, firstPage, timeline.isSuccess)} />
                <figcaption className="muted">
                  Dots are coloured by the acting jurisdiction’s level; hollow ones reached {name} from a jurisdiction it sits in.
                  {picture.data?.more ? ` The picture shows the first ${PAGE_SIZE} entries; the table below loads the rest.` : ''}{' '}
                  <a href={pictureUrl} target="_blank" rel="noreferrer">
                    Open the picture full size
                  </a>
                </figcaption>
              </>
            ) : null}
          </figure>
        )}

        {timeline.isPending ? (
          <p>Loading…</p>
        ) : timeline.isSuccess && entries.length === 0 ? (
          <p className="empty">No entries{filtered ? ' with these filters' : ''}.</p>
        ) : entries.length > 0 ? (
          <TimelineTable entries={entries} name={name} />
        ) : null}
        {timeline.hasNextPage && (
          <button type="button" onClick={() => void timeline.fetchNextPage()} disabled={timeline.isFetchingNextPage}>
            {timeline.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        )}
      </section>
    </div>
  );
}

function JurisdictionFacts({ id, detail }: { id: string; detail: Schemas['JurisdictionDetail'] | undefined }) {
  return (
    <dl className="facts">
      <dt>Id</dt>
      <dd>
        <code className="ocd-id">{id}</code>
      </dd>
      {detail && (
        <>
          <dt>Level</dt>
          <dd>{capitalise(detail.level)}</dd>
          {detail.parentId && (
            <>
              <dt>Sits in</dt>
              <dd>
                <Link to="/jurisdictions/$id" params={{ id: detail.parentId }}>
                  <Place id={detail.parentId} />
                </Link>
              </dd>
            </>
          )}
          <dt>Published actions on it</dt>
          <dd>{detail.counts.total}</dd>
          {detail.latestAction && (
            <>
              <dt>Latest</dt>
              <dd>
                <Link to="/actions/$id" params={{ id: detail.latestAction.actionId }}>
                  {detail.latestAction.title}
                </Link>{' '}
                <span className="muted">({detail.latestAction.occurredOn})</span>
              </dd>
            </>
          )}
        </>
      )}
    </dl>
  );
}

/** What the picture shows, for those who cannot see it: the count, the span and where the list is. */
function pictureAlt(name: string, firstPage: TimelineEntry[], known: boolean): string {
  if (!known) return `Timeline of ${name}`;
  if (firstPage.length === 0) return `Timeline of ${name}: no entries.`;
  const first = firstPage[0].occurredOn;
  const last = firstPage[firstPage.length - 1].occurredOn;
  const inherited = firstPage.filter((e) => e.inherited).length;
  return (
    `Timeline of ${name}: ${firstPage.length} ${firstPage.length === 1 ? 'entry' : 'entries'}` +
    (first === last ? ` on ${first}` : ` from ${first} to ${last}`) +
    (inherited ? `, ${inherited} inherited from jurisdictions it sits in` : '') +
    '. The same entries are listed in the table below.'
  );
}

function TimelineTable({ entries, name }: { entries: TimelineEntry[]; name: string }) {
  return (
    <TableWrap label="Timeline entries table">
      <table className="timeline-table">
        <caption>Timeline entries of {name}, in date order</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Kind</th>
            <th scope="col">Title</th>
            <th scope="col">Acting jurisdiction</th>
            <th scope="col">Inherited</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={`${e.actionId}-${e.via ?? ''}`}>
              <td>
                <time dateTime={e.occurredOn}>{e.occurredOn}</time>
              </td>
              <td>{kindLabel(e.kind)}</td>
              <th scope="row">
                <Link to="/actions/$id" params={{ id: e.actionId }}>
                  {e.title}
                </Link>
              </th>
              <td>
                <Place id={e.actingJurisdictionId} />
                {e.level !== 'unknown' && <span className="muted"> ({e.level})</span>}
              </td>
              <td>
                {e.inherited ? (
                  <>
                    Yes
                    {e.via && (
                      <>
                        , via <Place id={e.via} />
                      </>
                    )}
                  </>
                ) : (
                  'No'
                )}
              </td>
              <td>
                <StatusBadge status={e.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

// ─── The filter form ──────────────────────────────────────────────────────────────────────────

const LEVEL_OPTIONS: [string, string][] = [['', 'All levels'], ...LEVELS.map((l): [string, string] => [l, capitalise(l)])];
const KIND_OPTIONS: [string, string][] = [['', 'All kinds'], ...Object.entries(KIND_LABELS)];
const STATUS_OPTIONS: [string, string][] = [
  ['', 'Published'],
  ['proposed', 'Proposed'],
  ['published,proposed', 'Published and proposed'],
  ['rejected', 'Rejected'],
  ['retracted', 'Retracted'],
  ['merged', 'Merged'],
  [STATUSES.join(','), 'Any status'],
];

/** The options, plus the URL's value when it is a list the options do not offer (kept, not lost). */
function withCurrent(options: [string, string][], current: string): [string, string][] {
  return current && !options.some(([v]) => v === current) ? [...options, [current, current.split(',').join(', ')]] : options;
}

/** An ISO instant as the value of a datetime-local input read as UTC ('2017-03-28T00:00:00'). */
function asOfInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 19);
}

/** A datetime-local value, read as UTC, as the ISO instant the API takes ('2017-03-28T00:00:00Z'). */
function asOfParam(local: string): string | undefined {
  if (!local) return undefined;
  return `${local.length === 16 ? `${local}:00` : local.slice(0, 19)}Z`;
}

function TimelineFilterForm({
  filters,
  messages,
  onApply,
  onReset,
}: {
  filters: TimelineFilters;
  messages: Record<string, string[]>;
  onApply(next: TimelineFilters): void;
  onReset(): void;
}) {
  const [from, setFrom] = useState(filters.from ?? '');
  const [to, setTo] = useState(filters.to ?? '');
  const [level, setLevel] = useState(filters.level ?? '');
  const [kind, setKind] = useState(filters.kind ?? '');
  const [status, setStatus] = useState(filters.status ?? '');
  const [inherited, setInherited] = useState(filters.inherited !== false);
  // An asOf in the URL that is not an instant shows empty (the API's message says why it was refused).
  const [asOf, setAsOf] = useState(asOfInput(filters.asOf));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply({
      from: from.trim() || undefined,
      to: to.trim() || undefined,
      level: level || undefined,
      kind: kind || undefined,
      status: status || undefined,
      asOf: asOfParam(asOf),
      inherited: inherited ? undefined : false,
    });
  };

  const select = (label: string, field: string, value: string, set: (v: string) => void, options: [string, string][]) => (
    <Field label={label} messages={messages[field]}>
      {(props) => (
        <select {...props} value={value} onChange={(e) => set(e.target.value)}>
          {withCurrent(options, value).map(([v, text]) => (
            <option key={v} value={v}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );

  return (
    <form className="filters" aria-label="Filter the timeline" onSubmit={submit}>
      <Field label="From" hint="YYYY-MM-DD, YYYY-MM or YYYY" messages={messages.from}>
        {(props) => (
          <input {...props} value={from} onChange={(e) => setFrom(e.target.value)} inputMode="numeric" pattern="\d{4}(-\d{2}(-\d{2})?)?" placeholder="2017-01-20" />
        )}
      </Field>
      <Field label="To" hint="YYYY-MM-DD, YYYY-MM or YYYY" messages={messages.to}>
        {(props) => (
          <input {...props} value={to} onChange={(e) => setTo(e.target.value)} inputMode="numeric" pattern="\d{4}(-\d{2}(-\d{2})?)?" placeholder="2021-01-20" />
        )}
      </Field>
      {select('Acting level', 'level', level, setLevel, LEVEL_OPTIONS)}
      {select('Kind', 'kind', kind, setKind, KIND_OPTIONS)}
      {select('Status', 'status', status, setStatus, STATUS_OPTIONS)}
      <Field label="As of (UTC)" hint="The timeline as the ledger knew it then; empty for now" messages={messages.asOf}>
        {(props) => <input {...props} type="datetime-local" step={1} value={asOf} onChange={(e) => setAsOf(e.target.value)} />}
      </Field>
      <div className="field field--check">
        <label>
          <input type="checkbox" checked={inherited} onChange={(e) => setInherited(e.target.checked)} /> Include actions inherited from the jurisdictions it sits in
        </label>
      </div>
      <div className="actions-bar">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button type="button" onClick={onReset}>
          Clear filters
        </button>
      </div>
    </form>
  );
}

// ─── Files ────────────────────────────────────────────────────────────────────────────────────

/** An object URL for a text while it is shown; revoked when the text changes or the page goes. */
function useObjectUrl(text: string | undefined, type: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (text === undefined) {
      setUrl(null);
      return;
    }
    const next = URL.createObjectURL(new Blob([text], { type }));
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [text, type]);
  return url;
}

async function csvPage(id: string, query: ReturnType<typeof timelineQuery>, cursor: string | undefined): Promise<{ text: string; next: string | null }> {
  const result = await api().GET('/api/v1/jurisdictions/{id}/timeline', {
    params: { path: { id }, query: { ...query, format: 'csv', limit: CSV_PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
    parseAs: 'text',
  });
  return { text: await unwrap(Promise.resolve(result)), next: result.response.headers.get('x-next-cursor') };
}

/** The records of an RFC 4180 text (a quoted cell may hold line breaks). */
function csvRecords(text: string): number {
  let records = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === '\n' && !quoted) records++;
  }
  return records;
}

function csvFileName(name: string, asOf: string | undefined): string {
  const slug =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'jurisdiction';
  return `${slug}-timeline${asOf ? `-as-of-${asOf.slice(0, 10)}` : ''}.csv`;
}

/**
 * The whole timeline (with the page's filters) as one CSV file: the API answers a page at a
 * time with X-Next-Cursor, so the pages are read to the end and joined under one header row.
 */
async function downloadCsv(id: string, query: ReturnType<typeof timelineQuery>, fileName: string): Promise<{ rows: number; fileName: string }> {
  const parts: string[] = [];
  let rows = 0;
  let cursor: string | undefined;
  for (let page = 0; page < CSV_MAX_PAGES; page++) {
    const { text, next } = await csvPage(id, query, cursor);
    parts.push(page === 0 ? text : text.slice(text.indexOf('\r\n') + 2));
    rows += csvRecords(text) - 1;
    cursor = next ?? undefined;
    if (!cursor) break;
  }
  const url = URL.createObjectURL(new Blob(parts, { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { rows, fileName };
}
