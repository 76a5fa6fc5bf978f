import { createDb, createPool } from '@app/db/connection';
import { searchStatement, type SearchSelection } from '@app/policy';
import type { ActionKind, JurisdictionLevel } from '@app/policy';
// Not exported by @app/policy (the handler is registered on the query bus); imported by path so
// the baseline reduces a query to its citation key exactly as the handler does.
import { citationRef } from '../../../libs/policy/src/queries/search-actions/search-actions.query-handler';
import type { Tree } from './dataset';
import { seededRandom, type HttpClient, type LoopResult } from './measure';
import { ANCESTORS_SQL } from './timeline-sql';

// The search scenario: GET /api/v1/actions/search against the statement its handler runs
// (built by the same function, searchStatement, so the two cannot drift) sent through a pg
// Pool. Requests are drawn from a seeded stream of distinct queries over the generated
// ledger's vocabulary (topics, kinds, offices, people, places, Federal Register citations),
// with filters now and then, so neither side can answer from a cache keyed by the URL. The
// word 'release' is left out: the generator titles every source "<publisher> release <n>", so
// it matches the whole ledger, which no real vocabulary does.

const WORDS = [
  'sanctuary', 'immigration', 'detainer', 'grant', 'grants', 'policing', 'cameras', 'rental', 'wage', 'plastic',
  'zoning', 'housing', 'opioid', 'settlement', 'emergency', 'broadband', 'water', 'climate', 'election', 'firearm',
  'homelessness', 'transit', 'school', 'safety', 'hiring', 'ICE', 'compliance', 'enforcement', 'ordinance',
  'resolution', 'complaint', 'ruling', 'statement', 'pledge', 'amicus', 'funding', 'directive', 'mayor', 'governor',
  'sheriff', 'council', 'supervisors', 'attorney', 'Garcia', 'Nguyen', 'Okafor', 'Rossi', 'Cohen', 'Walsh', 'Keisha',
  'Jorge', 'Mei', 'amended', 'adopted', 'corrected',
];
const PHRASES = [
  '"minimum wage"', '"affordable housing"', '"body-worn cameras"', '"public health emergency"', '"climate action plan"',
  '"opioid settlement funds"', '"data sharing"', '"Byrne JAG"', '"short-term rental"', '"firearm storage"',
  '"immigration enforcement"', '"election administration"', '"transit funding"', '"school safety"',
];
const KINDS: ActionKind[] = ['ordinance', 'resolution', 'public_statement', 'lawsuit_filing', 'executive_order', 'legislation', 'funding_action'];
const LEVELS: JurisdictionLevel[] = ['federal', 'state', 'county', 'municipal'];

interface SearchRequest {
  q: string;
  kind?: ActionKind;
  level?: JurisdictionLevel;
  jurisdiction?: string;
}

/** The n-th request of a seeded stream: the same stream on both sides. */
export function requestStream(tree: Tree, seed: number): () => SearchRequest {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const placeWord = () => pick(tree.places).name.split(/[\s,]+/)[0];
  return () => {
    const r = rand();
    let q: string;
    if (r < 0.3) q = pick(WORDS);
    else if (r < 0.5) q = `${pick(WORDS)} ${pick(WORDS)}`;
    else if (r < 0.62) q = pick(PHRASES);
    else if (r < 0.72) q = `${pick(WORDS)} -${pick(WORDS)}`;
    else if (r < 0.82) q = `${pick(WORDS)} or ${pick(WORDS)}`;
    else if (r < 0.92) q = `${placeWord()} ${pick(WORDS)}`;
    else q = `${82 + Math.floor(rand() * 9)} FR ${1000 + Math.floor(rand() * 90_000)}`;
    const f = rand();
    if (f < 0.6) return { q };
    if (f < 0.75) return { q, kind: pick(KINDS) };
    if (f < 0.85) return { q, level: pick(LEVELS) };
    if (f < 0.95) return { q, jurisdiction: pick(tree.states).id };
    return { q, jurisdiction: pick(tree.places).id };
  };
}

const LIMIT = 20;

function searchPath(r: SearchRequest): string {
  const params = new URLSearchParams({ q: r.q });
  if (r.kind) params.set('kind', r.kind);
  if (r.level) params.set('level', r.level);
  if (r.jurisdiction) params.set('jurisdiction', r.jurisdiction);
  return `/api/v1/actions/search?${params.toString()}`;
}

/** What SearchActionsHandler hands the repository for this request (all ancestors known). */
export function selection(r: SearchRequest, ancestors: readonly string[] | undefined): SearchSelection {
  return {
    q: r.q,
    ref: citationRef(r.q),
    statuses: ['published'],
    kinds: r.kind ? [r.kind] : undefined,
    levels: r.level ? [r.level] : undefined,
    scope: r.jurisdiction ? { jurisdictionId: r.jurisdiction, ancestors: ancestors! } : undefined,
    take: LIMIT + 1,
  };
}

interface Side {
  label: string;
  concurrency: number;
  op: (worker: number) => Promise<void>;
}

export interface SearchScenarioDeps {
  url: string;
  tree: Tree;
  http: HttpClient;
  concurrency: number;
  /** The bench's alternating-rounds comparison. */
  compare: (api: Side, raw: Side) => Promise<{ api: { result: LoopResult }; raw: { result: LoopResult } }>;
  log: (msg: string) => void;
}

interface RawAnswer {
  total: number;
  hits: { id: string }[];
}

/** Runs the comparison; returns what `compare` returned and a description of the baseline. */
export async function searchScenario(deps: SearchScenarioDeps): Promise<{ sides: Awaited<ReturnType<SearchScenarioDeps['compare']>>; baselineNote: string }> {
  const c = deps.concurrency;
  const raw = createPool(deps.url, { max: c, applicationName: 'pl-benchapi-raw' });
  // Compiles statements only; never connects.
  const compiler = createDb<object>(deps.url, { max: 1 });
  try {
    // The raw side keeps its own ancestors cache, as JurisdictionRepository does.
    const ancestry = new Map<string, string[]>();
    const ancestorsOf = async (id: string) => {
      let a = ancestry.get(id);
      if (!a) {
        const { rows } = await raw.query<{ ancestors: string[] }>(ANCESTORS_SQL, [id]);
        if (!rows[0]) throw new Error(`no jurisdiction ${id}`);
        a = rows[0].ancestors;
        ancestry.set(id, a);
      }
      return a;
    };
    const runRaw = async (r: SearchRequest): Promise<RawAnswer> => {
      const ancestors = r.jurisdiction ? await ancestorsOf(r.jurisdiction) : undefined;
      const compiled = searchStatement(selection(r, ancestors)).compile(compiler);
      const { rows } = await raw.query<RawAnswer>(compiled.sql, compiled.parameters as unknown[]);
      return rows[0];
    };

    // Both sides must agree before either is timed.
    const check = requestStream(deps.tree, 5);
    let matched = 0;
    for (let i = 0; i < 60; i++) {
      const r = check();
      const mine = await runRaw(r);
      const reply = await deps.http.request('GET', searchPath(r));
      if (reply.status !== 200) throw new Error(`GET ${searchPath(r)}: ${reply.status} ${reply.body.toString().slice(0, 300)}`);
      const page = JSON.parse(reply.body.toString()) as { total: number; results: { actionId: string }[] };
      const a = page.results.map((h) => h.actionId).join(',');
      const b = mine.hits.slice(0, LIMIT).map((h) => h.id).join(',');
      if (a !== b || page.total !== mine.total) throw new Error(`API and raw SQL disagree on ${searchPath(r)}`);
      if (mine.total > 0) matched++;
    }
    if (matched < 30) throw new Error(`only ${matched} of 60 sample queries match anything: the dataset did not load`);
    deps.log(`  verified: API and raw SQL give the same results and totals for 60 queries (${matched} with matches)`);

    const apiNext = requestStream(deps.tree, 31);
    const rawNext = requestStream(deps.tree, 31);
    deps.log(`  raw = pg Pool of ${c}, ${c} concurrent; API = ${c} keep-alive connections; distinct queries drawn from a seeded stream`);
    const sides = await deps.compare(
      {
        label: 'API',
        concurrency: c,
        op: async () => {
          const path = searchPath(apiNext());
          const reply = await deps.http.request('GET', path);
          if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status} ${reply.body.toString().slice(0, 300)}`);
        },
      },
      {
        label: 'raw',
        concurrency: c,
        op: async () => {
          await runRaw(rawNext());
        },
      },
    );
    return {
      sides,
      baselineNote:
        `the statement SearchActionsHandler runs (searchStatement, compiled by Kysely per request, plus the ancestors lookup cached per jurisdiction) ` +
        `through a pg Pool of ${c}, ${c} concurrent, the same seeded stream of distinct queries (words, phrases, -, or, place names, FR citations; ` +
        `40% with a kind, level or jurisdiction filter), limit ${LIMIT}`,
    };
  } finally {
    await compiler.destroy();
    await raw.end();
  }
}
