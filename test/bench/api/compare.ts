import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import type { Pool } from 'pg';
import { createPool } from '@app/db/connection';
import { ComparisonRepository, JurisdictionRepository } from '@app/policy';
// Not exported by @app/policy (the module registers it on the query bus); imported by path so
// the capture below runs the very code the API runs.
import { CompareTimelinesHandler } from '../../../libs/policy/src/queries/compare-timelines/compare-timelines.query-handler';
import { CompareTimelinesQuery } from '../../../libs/policy/src/queries/compare-timelines/compare-timelines.query';
import type { Jurisdiction, Tree } from './dataset';
import { seededRandom, type HttpClient } from './measure';

// GET /api/v1/compare of four places (two of one state, two of another) beside the same
// statements through pg: the handler's own, captured from Kysely as it runs on the bench
// database (so the baseline cannot drift from the code), replayed with the same parameters.

interface Statement {
  text: string;
  values: readonly unknown[];
}

/** What the handler sends for one comparison once the ancestors cache is warm. */
interface Captured {
  ids: string[];
  names: Statement;
  columns: Statement;
}

interface Side {
  label: string;
  concurrency: number;
  op: (worker: number) => Promise<void>;
}

export interface CompareScenarioDeps<S, R> {
  url: string;
  tree: Tree;
  /** Keep-alive connections to the API, as many as `concurrency`. */
  http: HttpClient;
  concurrency: number;
  log: (msg: string) => void;
  /** The bench's alternating rounds of the API and its baseline. */
  measure: (api: Side, raw: Side) => Promise<{ api: S; raw: S }>;
  row: (name: string, api: S, raw: S, how: { target: string; met: (ratio: number, p99: number) => boolean; baselineNote: string }) => R;
}

const SETS = 200;
/** Analysts comparing places: fewer at once than timeline readers. */
export const COMPARE_CONCURRENCY = 8;

/** Four places: two of one state, two of another (states with at least two places). */
function comparisonSets(tree: Tree, n: number): string[][] {
  const rand = seededRandom(31);
  const states = tree.placesByState.map((places, i) => ({ places, i })).filter((s) => s.places.length >= 2);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const two = (places: Jurisdiction[]) => {
    const a = pick(places);
    let b = pick(places);
    while (b.id === a.id) b = pick(places);
    return [a.id, b.id];
  };
  return Array.from({ length: n }, () => {
    const s1 = pick(states);
    let s2 = pick(states);
    while (s2.i === s1.i) s2 = pick(states);
    return [...two(s1.places), ...two(s2.places)];
  });
}

const comparePath = (ids: string[]) => `/api/v1/compare?jurisdictions=${encodeURIComponent(ids.join(','))}`;

/** Runs the handler on the bench database and keeps the statements it sent (ancestors warm). */
async function capture(url: string, sets: string[][]): Promise<Captured[]> {
  let queries: CompiledQuery[] = [];
  const db = new Kysely<any>({
    dialect: new PostgresDialect({ pool: createPool(url, { max: 2, applicationName: 'pl-benchapi-capture' }) }),
    log: (event) => {
      if (event.level === 'query') queries.push(event.query);
    },
  });
  try {
    const handler = new CompareTimelinesHandler(new JurisdictionRepository(db), new ComparisonRepository(db));
    const out: Captured[] = [];
    for (const ids of sets) {
      // Once to warm the ancestors cache, as the API's is after its warm-up; then captured.
      await handler.execute(new CompareTimelinesQuery(ids));
      queries = [];
      await handler.execute(new CompareTimelinesQuery(ids));
      const names = queries.find((q) => q.sql.includes('unnest(ancestors)'));
      const columns = queries.find((q) => q.sql.includes('array_agg(col)'));
      if (!names || !columns || queries.length !== 2) throw new Error(`expected 2 statements from the handler, captured ${queries.length}`);
      out.push({ ids, names: { text: names.sql, values: names.parameters }, columns: { text: columns.sql, values: columns.parameters } });
    }
    return out;
  } finally {
    await db.destroy();
  }
}

async function rawCompare(raw: Pool, c: Captured): Promise<{ action_id: string }[]> {
  await raw.query(c.names.text, c.names.values as unknown[]);
  const { rows } = await raw.query<{ action_id: string }>(c.columns.text, c.columns.values as unknown[]);
  return rows;
}

/** The API and the raw statements must agree before either is timed. */
async function verify(deps: CompareScenarioDeps<unknown, unknown>, raw: Pool, captured: Captured[]): Promise<void> {
  for (const c of captured.slice(0, 20)) {
    const rows = await rawCompare(raw, c);
    const rawIds = [...new Set(rows.map((r) => r.action_id))].slice(0, 100);
    const reply = await deps.http.request('GET', comparePath(c.ids));
    if (reply.status !== 200) throw new Error(`GET compare: ${reply.status} ${reply.body.toString().slice(0, 300)}`);
    const body = JSON.parse(reply.body.toString()) as { rows: { actionId: string; shared: boolean }[] };
    if (body.rows.map((r) => r.actionId).join(',') !== rawIds.join(',')) throw new Error(`API and raw SQL disagree on ${c.ids.join(',')}`);
    if (body.rows.length === 0 || !body.rows.some((r) => r.shared)) throw new Error(`no shared rows comparing ${c.ids.join(',')}: the dataset did not load`);
  }
  deps.log(`  verified: API and raw SQL return the same rows for 20 comparisons; statements captured from the handler`);
}

export async function compareScenario<S, R>(deps: CompareScenarioDeps<S, R>): Promise<R> {
  const c = deps.concurrency;
  const sets = comparisonSets(deps.tree, SETS);
  const captured = await capture(deps.url, sets);
  const raw = createPool(deps.url, { max: c, applicationName: 'pl-benchapi-raw' });
  try {
    await verify(deps as CompareScenarioDeps<unknown, unknown>, raw, captured);
    let i = 0;
    let k = 0;
    deps.log(`  raw = pg Pool of ${c}, ${c} concurrent; API = ${c} keep-alive connections; ${SETS} sets of 4 places, default page (100 rows)`);
    const { api, raw: rawSide } = await deps.measure(
      {
        label: 'API',
        concurrency: c,
        op: async () => {
          const ids = sets[i++ % sets.length];
          const reply = await deps.http.request('GET', comparePath(ids));
          if (reply.status !== 200) throw new Error(`GET compare: ${reply.status} ${reply.body.toString().slice(0, 300)}`);
        },
      },
      {
        label: 'raw',
        concurrency: c,
        op: async () => {
          const rows = await rawCompare(raw, captured[k++ % captured.length]);
          if (rows.length === 0) throw new Error('empty comparison');
        },
      },
    );
    return deps.row(`compare4.c${c}`, api, rawSide, {
      target: 'p99 ≤ 100 ms',
      met: (_ratio, p99) => p99 <= 100,
      baselineNote:
        `the handler's two statements for 4 places (names with ancestors, then the four timelines' statements as columns, ` +
        `one row per action with its columns, cut at 101), captured from Kysely as it ran, replayed through a pg Pool of ${c}, ${c} concurrent`,
    });
  } finally {
    await raw.end();
  }
}
