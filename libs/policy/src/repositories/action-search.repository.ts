import { sql, type Kysely, type RawBuilder } from 'kysely';
import { PREPARE } from '@app/db/connection';
import { partialDateStart, type ActionKind, type ActionStatus, type DatePrecision, type JurisdictionLevel, type PolicyAction } from '../domain';
import type { PolicyDatabase } from '../database';

/**
 * Text reduced as citations are in `action_search.refs` and as a query is to look them up:
 * lower case, letters and digits only ('3:17-cv-00574' → '317cv00574'). Null when nothing is left.
 */
export function citationRef(text: string): string | null {
  const ref = text.toLowerCase().replace(/[^a-z0-9]/g, '');
  return ref === '' ? null : ref;
}

/** What `action_search` holds of an action: what a search matches, filters and facets on. */
export interface SearchRowInput {
  id: string;
  status: ActionStatus;
  kind: ActionKind;
  /** Start day of occurred_on. */
  occurredOn: string;
  actingJurisdictionId: string;
  title: string;
  summary: string;
  actors: PolicyAction['actors'];
  /** The citations' texts, then their docket numbers, then their courts. */
  citations: string[];
  sourceTitles: string[];
  refs: string[];
}

/** The parts of a search row its vector and refs are made from, as one comparable string. */
export function searchWords(r: SearchRowInput): string {
  return JSON.stringify([r.title, r.summary, r.actors, r.citations, r.sourceTitles]);
}

/**
 * An action's searchable parts. The projection compares an action's before and after by them
 * and rewrites its search row only when they differ (a link or an untitled source changes none
 * of them), and recomputes the vector only when its words differ (`searchWords`).
 */
export function searchRowOf(s: PolicyAction): SearchRowInput {
  const citations = s.citations ?? [];
  const texts = citations.map((c) => c.text);
  const dockets = citations.flatMap((c) => (c.docketNumber === undefined ? [] : [c.docketNumber]));
  return {
    id: s.id,
    status: s.status,
    kind: s.kind,
    occurredOn: partialDateStart(s.occurredOn),
    actingJurisdictionId: s.actingJurisdictionId,
    title: s.title,
    summary: s.summary ?? '',
    actors: s.actors ?? [],
    citations: [...texts, ...dockets, ...citations.flatMap((c) => (c.court === undefined ? [] : [c.court]))],
    sourceTitles: (s.sources ?? []).flatMap((src) => (src.title === undefined ? [] : [src.title])),
    refs: [...new Set([...texts, ...dockets].map(citationRef).filter((r): r is string => r !== null))],
  };
}

/** Where a page of search results starts: after this (exact, rank, id). */
export interface SearchCursor {
  exact: boolean;
  rank: number;
  id: string;
}

export interface SearchSelection {
  /** The query as typed: web-search syntax (quotes, `-`, `or`). */
  q: string;
  /** The query reduced as citations are in `refs` (`citationRef`: '82fr8799'); null when nothing is left. */
  ref: string | null;
  statuses: readonly ActionStatus[];
  kinds?: readonly ActionKind[];
  /** Acting jurisdiction's level ('unknown' for an acting jurisdiction not in the directory). */
  levels?: readonly (JurisdictionLevel | 'unknown')[];
  /** Start day of occurred_on, inclusive, as the timeline filters. */
  from?: string;
  to?: string;
  /** The jurisdiction, what sits below it, and what affected its ancestors. */
  scope?: { jurisdictionId: string; ancestors: readonly string[] };
  after?: SearchCursor;
  /** Rows to return (one more than a page, to know there is a next one). */
  take: number;
}

export interface SearchHit {
  id: string;
  exact: boolean;
  rank: number;
  kind: ActionKind;
  level: JurisdictionLevel | 'unknown';
  title: string;
  status: ActionStatus;
  occurredOn: string;
  precision: DatePrecision;
  actingJurisdictionId: string;
  /** ts_headline of the summary, the matches between SNIPPET_START and SNIPPET_STOP, not escaped. */
  snippet: string;
}

export interface SearchAnswer {
  total: number;
  kinds: Record<string, number>;
  levels: Record<string, number>;
  hits: SearchHit[];
}

/** Control characters around a match in a raw snippet; taken out of the text first, so they can only be ts_headline's. */
export const SNIPPET_START = '\u0002';
export const SNIPPET_STOP = '\u0003';
/**
 * What `<` and `>` are turned into before ts_headline sees the text: its parser takes anything
 * shaped like a tag for one and leaves it out of the headline ("will <not> ask" would read
 * "will ask"). The handler turns them back before escaping.
 */
export const SNIPPET_LT = '\u0004';
export const SNIPPET_GT = '\u0005';

interface RawAnswer {
  total: number;
  kinds: Record<string, number>;
  levels: Record<string, number>;
  hits: {
    id: string;
    exact: boolean;
    rank: number;
    kind: ActionKind;
    level: JurisdictionLevel | 'unknown';
    title: string;
    status: ActionStatus;
    occurred_on: string;
    precision: DatePrecision;
    acting_jurisdiction_id: string;
    snippet: string;
  }[];
}

/**
 * The search statement: every match is found once in the narrow `action_search` table (GIN
 * index on its vector, or on its refs for a query that is exactly a citation or docket
 * number), counted, faceted and ranked there; only the page's rows are read from `actions`
 * and headlined, which is the costly part per row. One round trip.
 *
 * Order: exact citation hits first, then ts_rank (weighted by where the words are, normalised
 * to rank/(rank+1)), then the id, so ties fall the same way on every page. ts_rank rather than
 * ts_rank_cd: every match is ranked, and on a broad query (15,000 matches on the quick bench
 * ledger) cover density cost 70 ms more than the whole count, ts_rank 10 ms. The rank is
 * compared as float8, which holds the float4 ts_rank gives exactly and survives a JSON round
 * trip in the cursor.
 */
export function searchStatement(s: SearchSelection): RawBuilder<RawAnswer> {
  const tsq = sql`websearch_to_tsquery('english', ${s.q})`;
  // The few actions citing exactly this are found first, through the refs index, and named by
  // id: checked on every match, `refs @> …` beside the words cost a broad query a third more.
  const exactIds = sql`ARRAY(SELECT x.id FROM action_search x WHERE x.refs <> '{}' AND x.refs @> ARRAY[${s.ref}]::text[])`;
  const exact = s.ref === null ? sql`false` : sql`a.id = ANY(${exactIds})`;
  const match = s.ref === null ? sql`a.vector @@ ${tsq}` : sql`(a.vector @@ ${tsq} OR ${exact})`;
  const conditions: RawBuilder<unknown>[] = [match, sql`a.status = ANY(${s.statuses}::text[])`];
  if (s.kinds?.length) conditions.push(sql`a.kind = ANY(${s.kinds}::text[])`);
  if (s.levels?.length) {
    conditions.push(sql`coalesce((SELECT j.level FROM jurisdictions j WHERE j.id = a.acting_jurisdiction_id), 'unknown') = ANY(${s.levels}::text[])`);
  }
  if (s.from) conditions.push(sql`a.occurred_on >= ${s.from}::date`);
  if (s.to) conditions.push(sql`a.occurred_on <= ${s.to}::date`);
  if (s.scope) {
    // The timeline's rows say which jurisdictions an action sits on directly and in what role:
    // anything on the jurisdiction or below it, and what affected an ancestor (as inherited).
    // The subtree as an array, so its rows are read through the timeline index; as a joined
    // subquery the planner hashed it and scanned every current timeline row for a state's 361
    // jurisdictions (71,000 rows on the quick bench ledger).
    conditions.push(sql`a.id IN (
      SELECT t.action_id FROM timeline_entries t
       WHERE t.recorded_to IS NULL
         AND t.jurisdiction_id = ANY(ARRAY(SELECT d.id FROM jurisdictions d
                                            WHERE d.id = ${s.scope.jurisdictionId} OR d.ancestors @> ARRAY[${s.scope.jurisdictionId}]::text[]))
      UNION ALL
      SELECT t.action_id FROM timeline_entries t
       WHERE t.recorded_to IS NULL AND t.is_affected AND t.jurisdiction_id = ANY(${s.scope.ancestors}::text[]))`);
  }
  const after = s.after
    ? sql`WHERE (m.exact < ${s.after.exact}
             OR (m.exact = ${s.after.exact} AND (m.rank < ${s.after.rank}::float8 OR (m.rank = ${s.after.rank}::float8 AND m.id > ${s.after.id}))))`
    : sql``;
  const headline = `StartSel=${SNIPPET_START}, StopSel=${SNIPPET_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
  // Levels are counted per acting jurisdiction first, then looked up once for each: a federal
  // or state query's thousands of matches come from a few jurisdictions.
  return sql<RawAnswer>`
    WITH m AS MATERIALIZED (
      SELECT a.id, a.kind, a.acting_jurisdiction_id, ${exact} AS exact,
             ts_rank(a.vector, ${tsq}, 32)::float8 AS rank
        FROM action_search a
       WHERE ${sql.join(conditions, sql` AND `)}
    ), page AS (
      SELECT m.* FROM m ${after} ORDER BY m.exact DESC, m.rank DESC, m.id LIMIT ${s.take}
    )
    SELECT (SELECT count(*)::int FROM m) AS total,
           (SELECT coalesce(json_object_agg(k.kind, k.n), '{}') FROM (SELECT kind, count(*)::int AS n FROM m GROUP BY kind) k) AS kinds,
           (SELECT coalesce(json_object_agg(l.level, l.n), '{}') FROM (
              SELECT coalesce(j.level, 'unknown') AS level, sum(g.n)::int AS n
                FROM (SELECT acting_jurisdiction_id, count(*) AS n FROM m GROUP BY acting_jurisdiction_id) g
                LEFT JOIN jurisdictions j ON j.id = g.acting_jurisdiction_id
               GROUP BY 1) l) AS levels,
           (SELECT coalesce(json_agg(h ORDER BY h.exact DESC, h.rank DESC, h.id), '[]') FROM (
              SELECT p.id, p.exact, p.rank, p.kind, coalesce(j.level, 'unknown') AS level, a.title, a.status,
                     a.occurred_on::text AS occurred_on, a.precision, a.acting_jurisdiction_id,
                     ts_headline('english', translate(coalesce(a.state->>'summary', ''), ${`<>${SNIPPET_START}${SNIPPET_STOP}`}, ${SNIPPET_LT + SNIPPET_GT}),
                                 ${tsq}, ${headline}) AS snippet
                FROM page p JOIN actions a ON a.id = p.id
                LEFT JOIN jurisdictions j ON j.id = p.acting_jurisdiction_id) h) AS hits`;
}

/** The columns a search row keeps beside its words, as the statements' JSON records name them. */
const attributesOf = (r: SearchRowInput) => ({
  id: r.id,
  status: r.status,
  kind: r.kind,
  occurred_on: r.occurredOn,
  acting_jurisdiction_id: r.actingJurisdictionId,
});

/** Full-text search: the `action_search` read table beside `actions`. */
export class ActionSearchRepository {
  constructor(private readonly db: Kysely<PolicyDatabase>) {}

  /**
   * Sets the status, kind, date and acting jurisdiction of rows whose words did not change (a
   * publication, a retraction, a date corrected): no vector to recompute, and with no indexed
   * column changed the new row version is a heap-only update, so no index entry is written.
   */
  async setAttributes(rows: readonly SearchRowInput[]): Promise<void> {
    if (rows.length === 0) return;
    const json = rows.map(attributesOf);
    await sql`${sql.raw(PREPARE)}
      UPDATE action_search s SET status = r.status, kind = r.kind, occurred_on = r.occurred_on,
             acting_jurisdiction_id = r.acting_jurisdiction_id
        FROM jsonb_to_recordset(${JSON.stringify(json)}::jsonb)
          AS r(id text, status text, kind text, occurred_on date, acting_jurisdiction_id text)
       WHERE s.id = r.id`.execute(this.db);
  }

  /**
   * Inserts or replaces each action's search row (projection). The vector is made here, in
   * the same statement: the title and the citations weigh most (A), then the summary and who
   * acted (B), then the sources' titles (C). The citations' `kind` is left out: its values
   * ('federal_register') would make every cited action a hit for "federal". Each list is
   * turned into words value by value, so a phrase never matches across two of them.
   */
  async index(rows: readonly SearchRowInput[]): Promise<void> {
    if (rows.length === 0) return;
    const json = rows.map((r) => ({
      ...attributesOf(r),
      title: r.title,
      summary: r.summary,
      actors: r.actors,
      citations: r.citations,
      sources: r.sourceTitles,
      refs: r.refs,
    }));
    await sql`${sql.raw(PREPARE)}
      INSERT INTO action_search (id, status, kind, occurred_on, acting_jurisdiction_id, vector, refs)
      SELECT r.id, r.status, r.kind, r.occurred_on, r.acting_jurisdiction_id,
             setweight(to_tsvector('english', r.title), 'A')
             || setweight(jsonb_to_tsvector('english', r.citations, '["string"]'), 'A')
             || setweight(to_tsvector('english', r.summary), 'B')
             || setweight(jsonb_to_tsvector('english', r.actors, '["string"]'), 'B')
             || setweight(jsonb_to_tsvector('english', r.sources, '["string"]'), 'C'),
             r.refs
        FROM jsonb_to_recordset(${JSON.stringify(json)}::jsonb) AS r(id text, status text, kind text, occurred_on date,
          acting_jurisdiction_id text, title text, summary text, actors jsonb, citations jsonb, sources jsonb, refs text[])
      ON CONFLICT (id) DO UPDATE SET status = excluded.status, kind = excluded.kind, occurred_on = excluded.occurred_on,
        acting_jurisdiction_id = excluded.acting_jurisdiction_id, vector = excluded.vector, refs = excluded.refs`.execute(this.db);
  }

  async search(s: SearchSelection): Promise<SearchAnswer> {
    const { rows } = await searchStatement(s).execute(this.db);
    const r = rows[0];
    return {
      total: r.total,
      kinds: r.kinds,
      levels: r.levels,
      hits: r.hits.map((h) => ({
        id: h.id,
        exact: h.exact,
        rank: h.rank,
        kind: h.kind,
        level: h.level,
        title: h.title,
        status: h.status,
        occurredOn: h.occurred_on,
        precision: h.precision,
        actingJurisdictionId: h.acting_jurisdiction_id,
        snippet: h.snippet,
      })),
    };
  }
}
