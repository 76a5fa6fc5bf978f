/**
 * API benchmark: the HTTP API next to the same work done straight through `pg`, on a
 * realistic ledger, against a scratch database of its own.
 *
 *   npm run bench:api -- [--quick] [--json FILE] [--cpu-prof DIR] [--keep-db] [--reuse DBNAME]
 *
 * 1. loads 1,000,000 events (quick: 100,000) over 10,000 jurisdictions through
 *    EventStore.appendMany with the policy context's inline projections (the read model the
 *    API reads), catches the asynchronous projections up with a ProjectionRunner, and
 *    reports the load rate;
 * 2. GET /api/v1/jurisdictions/{id}/timeline?limit=50 at 32 connections vs the handler's own
 *    SQL (checked byte for byte against what Kysely compiles) through a pg Pool of 32;
 * 3. POST /api/v1/actions at 8 connections vs a raw single-row INSERT into events at 8;
 * 4. GET /api/v1/actions/search at 8 connections vs its handler's statement through a pg Pool of 8
 *    (test/bench/api/search.ts);
 * 5. GET /api/v1/compare of 4 places at 8 connections vs the handler's statements (captured
 *    from Kysely) through a pg Pool of 8 (test/bench/api/compare.ts);
 * 6. the whole ledger as NDJSON: rows/s and the API's peak RSS (test/bench/api/export.ts).
 *
 * DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres); the
 * bench creates `pl_benchapi_<pid>` there, migrates it and drops it at the end (also on
 * Ctrl-C) unless --keep-db. The API runs in a child process (test/bench/api/server.ts) so
 * the load generator does not share its event loop. See docs/benchmarks-api.md.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SingleBar } from 'cli-progress';
import { sql } from 'kysely';
import { Client, type Pool } from 'pg';
import { createDb, createPool } from '@app/db/connection';
import { migrateToLatest } from '@app/db/migrator';
import { EventStore, ProjectionRunner, SEAL_PROJECTION, sealingProjection } from '@app/event-store';
import { policyInlineProjections, policyProjections, type ActionContent } from '@app/policy';
import { admin, formatTable, withDatabase } from './common';
import { CpuSampler, meanShare, type CpuSample, type CpuShare } from './api/cpu';
import { exportScenario, type ExportFigures } from './api/export';
import { COMPARE_CONCURRENCY, compareScenario } from './api/compare';
import { ActionEventGenerator, buildTree, loadDataset, type Jurisdiction, type Tree } from './api/dataset';
import { HttpClient, closedLoop, combine, fmt, round, seededRandom, type LoopResult } from './api/measure';
import { ANCESTORS_SQL, assertSameStatements, timelineStatement } from './api/timeline-sql';
import { searchScenario } from './api/search';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  quick: boolean;
  json?: string;
  cpuProfDir?: string;
  keepDb: boolean;
  reuse?: string;
  serverUrl: string;
  totalEvents: number;
  jurisdictions: number;
  batchEvents: number;
  parallel: number;
  warmupMs: number;
  durationMs: number;
  readConcurrency: number;
  writeConcurrency: number;
  /** Alternating measured rounds per side; durationMs is split over them. */
  rounds: number;
  only?: string[];
}

function parseArgs(argv: string[]): Options {
  let quick = false;
  let json: string | undefined;
  let cpuProfDir: string | undefined;
  let keepDb = false;
  let reuse: string | undefined;
  let only: string[] | undefined;
  let events: number | undefined;
  let duration: number | undefined;
  let readConcurrency = 32;
  let writeConcurrency = 8;
  const value = (i: number, name: string) => {
    const v = argv[i];
    if (v === undefined || v.startsWith('--')) {
      console.error(`${name} needs a value`);
      process.exit(2);
    }
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const arg = () => inline ?? value(++i, flag);
    if (flag === '--quick') quick = true;
    else if (flag === '--json') json = arg();
    else if (flag === '--cpu-prof') cpuProfDir = arg();
    else if (flag === '--keep-db') keepDb = true;
    else if (flag === '--reuse') reuse = arg();
    else if (flag === '--only') only = arg().split(',');
    else if (flag === '--events') events = Number(arg());
    else if (flag === '--duration') duration = Number(arg());
    else if (flag === '--read-concurrency') readConcurrency = Number(arg());
    else if (flag === '--write-concurrency') writeConcurrency = Number(arg());
    else if (flag === '--help' || flag === '-h') {
      console.log(
        'usage: api-bench [--quick] [--json FILE] [--cpu-prof DIR] [--keep-db] [--reuse DBNAME]\n' +
          '                 [--only timeline,writes,search,compare,export] [--events N] [--duration SECONDS]\n' +
          '                 [--read-concurrency 32] [--write-concurrency 8]',
      );
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  return {
    quick,
    json,
    cpuProfDir,
    keepDb,
    reuse,
    only,
    serverUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    totalEvents: events ?? (quick ? 100_000 : 1_000_000),
    jurisdictions: 10_000,
    batchEvents: 2_000,
    parallel: 3,
    warmupMs: quick ? 2_000 : 3_000,
    durationMs: (duration ?? (quick ? 5 : 15)) * 1000,
    readConcurrency,
    writeConcurrency,
    rounds: quick ? 2 : 4,
  };
}

// ---------------------------------------------------------------------------------------------
// Plumbing

const log = (msg: string) => process.stdout.write(`${msg}\n`);
const ADMIN_KEY = `bench-admin-${randomUUID()}`;
const SEED = 20_170_125; // the day of the executive order that started the ledger's example
/** Connections of the search scenario (the figure the issue asks for). */
const SEARCH_CONCURRENCY = 8;
/** Warm-up of each round after the first one of a side (connections and caches are warm). */
const ROUND_WARMUP_MS = 1_000;
/** The old-space limit of the API process the export is measured on. */
const EXPORT_HEAP_MIB = 96;

/** What test/bench/api/server.ts sends over IPC. */
type ChildMessage =
  | { type: 'ready'; port: number; poolSize: number; logLevel: string }
  | { type: 'cpu'; usage: NodeJS.CpuUsage };

/** The API in a child process: its port, its CPU use, and a way to close it. */
interface ApiProcess {
  port: number;
  pid: number;
  poolSize: number;
  logLevel: string;
  cpu(): Promise<NodeJS.CpuUsage | null>;
  close(): Promise<void>;
}

async function startApi(url: string, cpuProfDir?: string, nodeOptions: string[] = []): Promise<ApiProcess> {
  const execArgv = [...(cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : []), ...nodeOptions];
  const child: ChildProcess = fork(join(__dirname, 'api', 'server.js'), [], {
    execArgv,
    env: {
      ...process.env,
      BENCH_DATABASE_URL: url,
      BENCH_API_ADMIN_KEY: ADMIN_KEY,
      BENCH_LOG_LEVEL: process.env.BENCH_LOG_LEVEL,
      BENCH_DATABASE_POOL_SIZE: process.env.BENCH_DATABASE_POOL_SIZE,
      // Room for the first page of each of the ledger's 10,000 timelines (about 18 KiB each).
      BENCH_READ_CACHE_MB: process.env.BENCH_READ_CACHE_MB ?? '512',
      BENCH_LEDGER_SIGNING_KEY: SIGNING_KEY_PEM,
    },
    stdio: ['ignore', process.env.BENCH_LOG_LEVEL && process.env.BENCH_LOG_LEVEL !== 'silent' ? 'ignore' : 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ port: number; poolSize: number; logLevel: string }>((resolve, reject) => {
    child.once('message', (m: ChildMessage) => (m?.type === 'ready' ? resolve(m) : reject(new Error(`unexpected ${JSON.stringify(m)}`))));
    child.once('exit', (code) => reject(new Error(`API process exited with ${code} before it was ready`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    ...ready,
    pid: child.pid!,
    cpu: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || !child.connected) return resolve(null);
        const onMessage = (m: ChildMessage) => {
          if (m?.type !== 'cpu') return;
          child.off('message', onMessage);
          resolve(m.usage);
        };
        child.on('message', onMessage);
        child.send({ type: 'cpu' });
      }),
    close: async () => {
      if (child.exitCode === null) child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Random jurisdictions for timeline reads: mostly places, which inherit from state and country. */
function timelinePicker(tree: Tree, rand: () => number): () => Jurisdiction {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  return () => {
    const r = rand();
    if (r < 0.8) return pick(tree.places);
    if (r < 0.95) return pick(tree.counties);
    if (r < 0.99) return pick(tree.states);
    return tree.country;
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Row {
  name: string;
  unit: string;
  value: number;
  baseline: number | null;
  ratio: number | null;
  p50: number | null;
  p99: number | null;
  baselineP50: number | null;
  baselineP99: number | null;
  target: string;
  met: boolean | null;
  baselineNote: string;
  cpu?: { api: CpuShare; raw: CpuShare };
}

/** A row for a request rate measured on the API and on its raw baseline. */
function comparedRow(
  name: string,
  api: SideResult,
  raw: SideResult,
  how: { target: string; met: (ratio: number, p99: number, baselineP99: number) => boolean; baselineNote: string },
): Row {
  const ratio = api.result.rate / raw.result.rate;
  return {
    name,
    unit: 'req/s',
    value: api.result.rate,
    baseline: raw.result.rate,
    ratio,
    p50: api.result.p50,
    p99: api.result.p99,
    baselineP50: raw.result.p50,
    baselineP99: raw.result.p99,
    target: how.target,
    met: how.met(ratio, api.result.p99, raw.result.p99),
    baselineNote: how.baselineNote,
    cpu: { api: api.cpu, raw: raw.cpu },
  };
}

interface Ctx {
  opts: Options;
  url: string;
  tree: Tree;
  api: ApiProcess;
  http: HttpClient;
  cpu: CpuSampler;
  closeApi: () => Promise<void>;
}

interface Side {
  label: string;
  concurrency: number;
  op: (worker: number) => Promise<void>;
}

interface SideResult {
  result: LoopResult;
  cpu: CpuShare;
}

/**
 * The API and its baseline in alternating rounds (raw, API, API, raw, …), each round a closed
 * loop with its own short warm-up, the rounds of a side then pooled. Others share this
 * machine; alternating spreads a change in their load over both sides instead of one.
 */
async function compare(ctx: Ctx, api: Side, raw: Side): Promise<{ api: SideResult; raw: SideResult }> {
  const { rounds, warmupMs, durationMs } = ctx.opts;
  const parts = new Map<Side, { results: LoopResult[]; cpu: CpuShare[] }>([
    [api, { results: [], cpu: [] }],
    [raw, { results: [], cpu: [] }],
  ]);
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 === 0 ? [raw, api] : [api, raw]) {
      let a: CpuSample | undefined;
      let b: CpuSample | undefined;
      const result = await closedLoop(side.concurrency, r === 0 ? warmupMs : ROUND_WARMUP_MS, durationMs / rounds, side.op, {
        windowStart: async () => (a = await ctx.cpu.sample()),
        windowEnd: async () => (b = await ctx.cpu.sample()),
      });
      const cpu = ctx.cpu.between(a!, b!);
      parts.get(side)!.results.push(result);
      parts.get(side)!.cpu.push(cpu);
      log(`    round ${r + 1} ${side.label.padEnd(3)} ${fmt(result.rate).padStart(6)} req/s, p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms; ${cpuNote(cpu)}`);
    }
  }
  const pooled = (side: Side): SideResult => ({ result: combine(parts.get(side)!.results), cpu: meanShare(parts.get(side)!.cpu) });
  const out = { api: pooled(api), raw: pooled(raw) };
  for (const [label, sr] of [[raw.label, out.raw], [api.label, out.api]] as const) {
    log(`  ${label}: ${fmt(sr.result.rate)} req/s, p50 ${fmt(sr.result.p50, 2)} ms, p99 ${fmt(sr.result.p99, 2)} ms; ${cpuNote(sr.cpu)}`);
  }
  return out;
}

const cpuNote = (c: CpuShare) =>
  `CPU cores: machine ${fmt(c.machine, 2)} = bench ${fmt(c.bench, 2)} + API ${fmt(c.api, 2)} + its Postgres backends ${fmt(c.postgres, 2)} + other ${fmt(c.other, 2)}`;

const timelinePath = (id: string) => `/api/v1/jurisdictions/${encodeURIComponent(id)}/timeline?limit=50`;

/** The API and the raw statements must return the same pages before either is timed. */
async function verifyTimeline(ctx: Ctx, raw: Pool, ancestorsOf: (id: string) => Promise<string[]>): Promise<void> {
  const rand = seededRandom(7);
  const pick = timelinePicker(ctx.tree, rand);
  const samples = [ctx.tree.country, ctx.tree.states[0], ctx.tree.counties[0], ctx.tree.places[0], ...Array.from({ length: 40 }, pick)];
  for (const j of samples) {
    const ancestors = await ancestorsOf(j.id);
    await assertSameStatements(j.id, ancestors, 50);
    const st = timelineStatement(j.id, ancestors, 50);
    const { rows } = await raw.query<{ action_id: string }>(st.text, st.values);
    const reply = await ctx.http.request('GET', timelinePath(j.id));
    if (reply.status !== 200) throw new Error(`GET timeline of ${j.id}: ${reply.status} ${reply.body.toString()}`);
    const page = JSON.parse(reply.body.toString()) as { entries: { actionId: string }[]; nextCursor: string | null };
    const a = page.entries.map((e) => e.actionId).join(',');
    const b = rows.slice(0, 50).map((r) => r.action_id).join(',');
    if (a !== b || (rows.length > 50) !== (page.nextCursor !== null)) {
      throw new Error(`API and raw SQL disagree on the timeline of ${j.id}`);
    }
    if (rows.length === 0) throw new Error(`empty timeline for ${j.id}: the dataset did not load`);
  }
  log(`  verified: API and raw SQL return the same pages for ${samples.length} jurisdictions; statements identical to the handler's`);
}

async function timelineScenario(ctx: Ctx): Promise<Row> {
  const c = ctx.opts.readConcurrency;
  const raw = createPool(ctx.url, { max: c, applicationName: 'pl-benchapi-raw' });
  try {
    // The raw side keeps its own ancestors cache, filled on first sight as JurisdictionRepository
    // does; both sides start cold and get the same warm-up.
    const cache = new Map<string, string[]>();
    const ancestorsOf = async (id: string) => {
      let a = cache.get(id);
      if (!a) {
        const { rows } = await raw.query<{ ancestors: string[] }>(ANCESTORS_SQL, [id]);
        if (!rows[0]) throw new Error(`no jurisdiction ${id}`);
        a = rows[0].ancestors;
        cache.set(id, a);
      }
      return a;
    };
    await verifyTimeline(ctx, raw, async (id) => (await raw.query<{ ancestors: string[] }>(ANCESTORS_SQL, [id])).rows[0].ancestors);

    const rawPick = timelinePicker(ctx.tree, seededRandom(11));
    const apiPick = timelinePicker(ctx.tree, seededRandom(11));
    let n = 0;
    const served = { hit: 0, miss: 0, bytes: 0 };
    log(`  raw = pg Pool of ${c}, ${c} concurrent; API = ${c} keep-alive connections; ${ctx.opts.rounds} alternating rounds each`);
    const { api: apiSide, raw: rawSide } = await compare(
      ctx,
      {
        label: 'API',
        concurrency: c,
        op: async () => {
          const j = apiPick();
          const reply = await ctx.http.request('GET', timelinePath(j.id));
          if (reply.status !== 200) throw new Error(`GET timeline of ${j.id}: ${reply.status} ${reply.body.toString().slice(0, 300)}`);
          if (reply.cache === 'hit') served.hit++;
          else served.miss++;
          served.bytes += reply.body.length;
          if (n++ % 200 === 0 && (JSON.parse(reply.body.toString()) as { entries: unknown[] }).entries.length === 0) {
            throw new Error(`empty timeline for ${j.id}`);
          }
        },
      },
      {
        label: 'raw',
        concurrency: c,
        op: async () => {
          const j = rawPick();
          const st = timelineStatement(j.id, await ancestorsOf(j.id), 50);
          const { rows } = await raw.query(st.text, st.values);
          if (rows.length === 0) throw new Error(`empty timeline for ${j.id}`);
        },
      },
    );
    const total = served.hit + served.miss;
    log(`  API read cache: ${fmt((100 * served.hit) / total)} % hits over ${total} requests (warm-ups included); pages of ${fmt(served.bytes / total / 1024, 1)} KiB on average`);
    return comparedRow(`timeline.c${c}`, apiSide, rawSide, {
      target: 'ratio ≥ 1.5, p99 ≤ 1.2 × raw p99',
      met: (ratio, p99, rawP99) => ratio >= 1.5 && p99 <= 1.2 * rawP99,
      baselineNote: `the handler's ancestors lookup (cached per jurisdiction, as JurisdictionRepository does) + its timeline statement, byte-identical, through a pg Pool of ${c} (same type parsers as the app), ${c} concurrent`,
    });
  } finally {
    await raw.end();
  }
}

async function writeScenario(ctx: Ctx): Promise<Row> {
  const c = ctx.opts.writeConcurrency;
  // Request bodies: a municipal action on a random place, as a curator would record it.
  const generator = new ActionEventGenerator(seededRandom(23), ctx.tree);
  const contents: ActionContent[] = Array.from({ length: 2000 }, () => generator.content('municipal'));
  const bodies = contents.map((content) => JSON.stringify(content));
  const headers = { authorization: `Bearer ${ADMIN_KEY}` };
  let i = 0;
  let k = 0;
  const raw = createPool(ctx.url, { max: c, applicationName: 'pl-benchapi-raw' });
  try {
    log(`  raw = pg Pool of ${c}, ${c} concurrent; API = ${c} keep-alive connections; ${ctx.opts.rounds} alternating rounds each`);
    const { api: apiSide, raw: rawSide } = await compare(
      ctx,
      {
        label: 'API',
        concurrency: c,
        op: async () => {
          const reply = await ctx.http.request('POST', '/api/v1/actions', bodies[i++ % bodies.length], headers);
          if (reply.status !== 201) throw new Error(`POST /api/v1/actions: ${reply.status} ${reply.body.toString().slice(0, 500)}`);
        },
      },
      {
        label: 'raw',
        concurrency: c,
        op: async () => {
          // The row the API appends for the same request, under a type no projection reads (the
          // API's projection runner is up and would otherwise do work during the baseline).
          const actionId = randomUUID();
          const data = JSON.stringify({ actionId, content: contents[k++ % contents.length], relations: [] });
          const metadata = JSON.stringify({ actor: 'env:API_ADMIN_KEY', correlationId: randomUUID() });
          await raw.query(
            `INSERT INTO events (stream_id, stream_version, type, data, metadata) VALUES ($1, 1, 'BenchRawActionRecorded', $2, $3)`,
            [`action-${actionId}`, data, metadata],
          );
        },
      },
    );
    return comparedRow(`actions.post.c${c}`, apiSide, rawSide, {
      target: 'p99 ≤ 50 ms',
      met: (_ratio, p99) => p99 <= 50,
      baselineNote: `one autocommit single-row INSERT INTO events of the row the API appends (same data and metadata JSON; type renamed so no projection reads it), no read model, no checks, through a pg Pool of ${c}, ${c} concurrent: the floor of a durable write on this server`,
    });
  } finally {
    await raw.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Output

function printTable(rows: Row[]): void {
  const header = ['name', 'unit', 'value', 'baseline', 'ratio', 'p50 ms', 'p99 ms', 'base p50', 'base p99', 'target', 'met'];
  const lines: string[][] = [header];
  for (const r of rows) {
    lines.push([
      r.name, r.unit, fmt(r.value), fmt(r.baseline), fmt(r.ratio, 2), fmt(r.p50, 2), fmt(r.p99, 2),
      fmt(r.baselineP50, 2), fmt(r.baselineP99, 2), r.target, r.met === null ? '' : r.met ? 'yes' : 'NO',
    ]);
  }
  log(formatTable(lines, (i) => i < 2 || i >= 9));
  log('baselines:');
  for (const r of rows) log(`  ${r.name}: ${r.baselineNote}`);
}

// ---------------------------------------------------------------------------------------------
// Main

const SIGNING_KEY_PEM = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/**
 * Seals the loaded ledger before the API starts (its sealer would otherwise do it during the
 * first scenario). Apart from the load figure, which counts the read models as before.
 */
async function sealLoadedLedger(store: EventStore): Promise<void> {
  const t0 = performance.now();
  const runner = new ProjectionRunner(store, [sealingProjection({ signingKey: createPrivateKey(SIGNING_KEY_PEM) })]);
  await runner.ensureCheckpoints();
  const sealed = await runner.catchUp(SEAL_PROJECTION);
  const seconds = (performance.now() - t0) / 1000;
  log(`  sealed ${fmt(sealed)} events in ${fmt(seconds, 1)} s (${fmt(sealed / seconds)} events/s; not part of the load figure)`);
}

/** Brings the asynchronous read models up to date (as a worker would), in this process. */
async function catchUpAsyncProjections(store: EventStore): Promise<number> {
  const t0 = performance.now();
  const runner = new ProjectionRunner(store, policyProjections, { batchSize: 5000 });
  await runner.ensureCheckpoints();
  let applied = 0;
  for (const name of runner.names) applied += await runner.catchUp(name);
  const seconds = (performance.now() - t0) / 1000;
  if (runner.names.length) log(`  async projections ${runner.names.join(', ')} caught up: ${fmt(applied)} events in ${fmt(seconds, 1)} s`);
  return seconds;
}

/** A row for the export: rows/s beside the raw cursor's, and how far the API's RSS rose. */
function exportRow(name: string, f: ExportFigures, maxGrowthMiB: number | null): Row {
  log(`  API: ${fmt(f.rows)} rows, ${fmt(f.bytes / 2 ** 20, 1)} MiB in ${fmt(f.seconds, 2)} s: ${fmt(f.rate)} rows/s; ` +
    `API RSS ${fmt(f.rssBefore, 1)} MiB before, peak ${fmt(f.rssPeak, 1)} MiB (${f.rssSamples} samples), ${fmt(f.rssAfter, 1)} MiB after`);
  log(`  raw pg-query-stream: ${fmt(f.raw.rows)} rows, ${fmt(f.raw.bytes / 2 ** 20, 1)} MiB in ${fmt(f.raw.seconds, 2)} s: ${fmt(f.raw.rate)} rows/s; ` +
    `bench RSS ${fmt(f.raw.rssBefore, 1)} MiB before, peak ${fmt(f.raw.rssPeak, 1)} MiB`);
  const growth = f.rssPeak - f.rssBefore;
  return {
    name,
    unit: 'rows/s',
    value: f.rate,
    baseline: f.raw.rate,
    ratio: f.rate / f.raw.rate,
    p50: null,
    p99: null,
    baselineP50: null,
    baselineP99: null,
    target: maxGrowthMiB === null ? `RSS +${fmt(growth, 1)} MiB` : `RSS +${fmt(growth, 1)} MiB ≤ ${maxGrowthMiB}`,
    met: maxGrowthMiB === null ? null : f.rows === f.raw.rows && growth <= maxGrowthMiB,
    baselineNote: `the same ${fmt(f.raw.rows)} rows through a pg-query-stream cursor (batches of 500) serialised as NDJSON in the bench process, no HTTP`,
  };
}

async function loadPhase(opts: Options, url: string, tree: Tree): Promise<Row> {
  const db = createDb<any>(url, { max: opts.parallel + 1, applicationName: 'pl-benchapi-load' });
  try {
    // The store the API itself builds (EventStoreModule), minus NOTIFY: nobody listens yet.
    const store = new EventStore(db, { inlineProjections: policyInlineProjections, notify: false });
    const bar = new SingleBar({
      format: '  loading |{bar}| {percentage}% | {value}/{total} events | {rate} events/s | {duration_formatted} elapsed, ETA {eta_formatted}',
      barsize: 30,
      etaBuffer: 50,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
      formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? v.toLocaleString('en-US') : String(v)),
    });
    const t0 = performance.now();
    bar.start(opts.totalEvents, 0, { rate: '0' });
    const result = await loadDataset(store, tree, seededRandom(SEED + 1), {
      totalEvents: opts.totalEvents,
      batchEvents: opts.batchEvents,
      parallel: opts.parallel,
      onProgress: (p) => bar.update(p.events, { rate: fmt(p.events / ((performance.now() - t0) / 1000)) }),
    });
    bar.stop();
    log(`  appended ${fmt(result.events)} events in ${fmt(result.seconds, 1)} s: ${fmt(result.events / result.seconds)} events/s ` +
      `(jurisdictions ${fmt(result.jurisdictionSeconds, 1)} s; ${opts.batchEvents.toLocaleString('en-US')}-event appendMany, ${opts.parallel} in flight)`);
    log(`  ${fmt(result.stats.actions)} actions by acting level ${JSON.stringify(result.stats.byLevel)}`);
    log(`  action events by type ${JSON.stringify(result.stats.byType)}`);
    // Statistics and hint bits for what was just written, as autovacuum would soon have set
    // them; the catch-up below and the measurements then run on a settled table.
    const tv = performance.now();
    await sql`VACUUM (ANALYZE) events, actions, action_search, timeline_entries, jurisdictions`.execute(db);
    const vacuum = (performance.now() - tv) / 1000;
    log(`  vacuum analyze: ${fmt(vacuum, 1)} s`);
    // The asynchronous read models the API runs (and its writes wait for) are brought up to
    // date here, as a worker would have, so the API starts caught up and measurements are not
    // shared with a catch-up.
    const catchUp = await catchUpAsyncProjections(store);
    const seconds = result.seconds + vacuum + catchUp;
    const rate = result.events / seconds;
    log(`  load: ${fmt(rate)} events/s until every read model is complete (${fmt(seconds, 1)} s)`);
    await sealLoadedLedger(store);
    return {
      name: 'load.events',
      unit: 'events/s',
      value: rate,
      baseline: null,
      ratio: null,
      p50: null,
      p99: null,
      baselineP50: null,
      baselineP99: null,
      target: '',
      met: null,
      baselineNote: `none: ${fmt(result.events)} events through EventStore.appendMany (${opts.batchEvents}-event batches, ${opts.parallel} in flight) with the policy inline projections (${fmt(result.seconds, 1)} s), VACUUM ANALYZE (${fmt(vacuum, 1)} s), then the async projections caught up by a ProjectionRunner (${fmt(catchUp, 1)} s)`,
    };
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const dbName = opts.reuse ?? `pl_benchapi_${process.pid}`;
  const url = withDatabase(opts.serverUrl, dbName);
  const cores = cpus().length;

  let dropped = opts.keepDb || opts.reuse !== undefined;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await admin(opts.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
  };
  let api: ApiProcess | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    log(`\n${sig}: stopping; dropping ${dbName}`);
    (api?.close() ?? Promise.resolve())
      .then(drop)
      .catch((err) => console.error(err))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const load = loadavg();
  const server = await admin(opts.serverUrl, async (c) => {
    if (!opts.reuse) await c.query(`CREATE DATABASE "${dbName}"`);
    const { rows } = await c.query<{ v: string; sb: string; sc: string; mc: string }>(
      `SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb,
              current_setting('synchronous_commit') AS sc, current_setting('max_connections') AS mc`);
    return rows[0];
  });
  const rows: Row[] = [];
  const http: HttpClient[] = [];
  const sampler = new Client({ connectionString: opts.serverUrl, application_name: 'pl-benchapi-cpu' });
  await sampler.connect();
  try {
    log(`api bench${opts.quick ? ' (quick)' : ''}: ${dbName} on PostgreSQL ${server.v} (shared_buffers ${server.sb}, ` +
      `synchronous_commit ${server.sc}); node ${process.version}, ${cores} × ${cpus()[0]?.model ?? '?'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, load average ${load.map((l) => l.toFixed(2)).join(' ')}; ` +
      `${opts.warmupMs / 1000} s warm-up + ${opts.durationMs / 1000} s per measurement`);
    const tree = buildTree(seededRandom(SEED), opts.jurisdictions);
    log(`jurisdictions: 1 country, ${tree.states.length} states, ${tree.counties.length} counties, ${tree.places.length} places (OCD ids from libs/policy/data/ocd)`);

    const mdb = createDb<any>(url, { max: 1 });
    await migrateToLatest(mdb).finally(() => mdb.destroy());
    if (!opts.reuse) {
      log(`load: ${opts.totalEvents.toLocaleString('en-US')} events …`);
      rows.push(await loadPhase(opts, url, tree));
      // Flush what the load dirtied, so a checkpoint does not land inside a measurement.
      const t = performance.now();
      await admin(url, (c) => c.query('CHECKPOINT').catch(() => undefined));
      log(`  checkpoint: ${fmt((performance.now() - t) / 1000, 1)} s`);
    } else {
      log(`reusing ${dbName} (no load)`);
      const db = createDb<any>(url, { max: 2, applicationName: 'pl-benchapi-load' });
      await catchUpAsyncProjections(new EventStore(db, { inlineProjections: policyInlineProjections, notify: false })).finally(() => db.destroy());
    }
    await admin(url, async (c) => {
      const { rows: sizes } = await c.query<{ name: string; n: string; size: string }>(`
        SELECT 'events' AS name, (SELECT count(*) FROM events) AS n, pg_size_pretty(pg_total_relation_size('events')) AS size
        UNION ALL SELECT 'actions', (SELECT count(*) FROM actions), pg_size_pretty(pg_total_relation_size('actions'))
        UNION ALL SELECT 'timeline_entries', (SELECT count(*) FROM timeline_entries), pg_size_pretty(pg_total_relation_size('timeline_entries'))
        UNION ALL SELECT 'timeline_entries current', (SELECT count(*) FROM timeline_entries WHERE recorded_to IS NULL), ''`);
      log(`  ${sizes.map((s) => `${s.name} ${Number(s.n).toLocaleString('en-US')} rows${s.size ? ` (${s.size})` : ''}`).join('; ')}`);
    });

    api = await startApi(url, opts.cpuProfDir);
    log(`API process up on 127.0.0.1:${api.port} (DATABASE_POOL_SIZE ${api.poolSize}, LOG_LEVEL ${api.logLevel}` +
      `${opts.cpuProfDir ? `, --cpu-prof to ${opts.cpuProfDir}` : ''})`);
    const ctx: Ctx = {
      opts,
      url,
      tree,
      api,
      http: new HttpClient('127.0.0.1', api.port, opts.readConcurrency),
      cpu: new CpuSampler(sampler, dbName, cores, api.cpu),
      closeApi: async () => {
        for (const h of http) h.close();
        await api?.close();
        api = undefined;
      },
    };
    http.push(ctx.http);

    if (!opts.only || opts.only.includes('timeline')) {
      log(`timeline reads, ${opts.readConcurrency} concurrent …`);
      rows.push(await timelineScenario(ctx));
    }
    if (!opts.only || opts.only.includes('compare')) {
      log(`compare of 4 places, ${COMPARE_CONCURRENCY} concurrent …`);
      const compareHttp = new HttpClient('127.0.0.1', api.port, COMPARE_CONCURRENCY);
      http.push(compareHttp);
      rows.push(await compareScenario({
        url, tree: ctx.tree, http: compareHttp, concurrency: COMPARE_CONCURRENCY, log,
        measure: (a, b) => compare(ctx, a, b),
        row: comparedRow,
      }));
    }
    if (!opts.only || opts.only.includes('writes')) {
      log(`action writes, ${opts.writeConcurrency} concurrent …`);
      const writes = new HttpClient('127.0.0.1', api.port, opts.writeConcurrency);
      http.push(writes);
      rows.push(await writeScenario({ ...ctx, http: writes }));
    }
    if (!opts.only || opts.only.includes('search')) {
      const c = SEARCH_CONCURRENCY;
      log(`full-text search, ${c} concurrent …`);
      const client = new HttpClient('127.0.0.1', api.port, c);
      http.push(client);
      const { sides, baselineNote } = await searchScenario({ url, tree, http: client, concurrency: c, compare: (a, r) => compare(ctx, a, r), log });
      rows.push(comparedRow(`search.c${c}`, sides.api as SideResult, sides.raw as SideResult, {
        target: 'ratio ≥ 0.7, p99 ≤ 50 ms',
        met: (ratio, p99) => ratio >= 0.7 && p99 <= 50,
        baselineNote,
      }));
    }
    if (!opts.only || opts.only.includes('export')) {
      log('whole-ledger export (NDJSON) …');
      rows.push(exportRow('export.ndjson', await exportScenario({ port: api.port, apiPid: api.pid, url }), null));
      // Again on an API process of its own whose V8 heap cannot hold the export (the quick
      // ledger's NDJSON is about 70 MiB, the full one's ten times that): it completes only if
      // the export is streamed, and its RSS is not inflated by garbage V8 had no reason yet to
      // collect (an uncapped heap grows to a few hundred MiB before a major GC, export or not).
      log(`whole-ledger export (NDJSON), API heap capped at ${EXPORT_HEAP_MIB} MiB …`);
      const exporter = await startApi(url, undefined, [`--max-old-space-size=${EXPORT_HEAP_MIB}`]);
      const capped = await exportScenario({ port: exporter.port, apiPid: exporter.pid, url }).finally(() => exporter.close());
      rows.push(exportRow(`export.ndjson heap ${EXPORT_HEAP_MIB} MiB`, capped, 32));
    }
    await ctx.closeApi();

    printTable(rows);
    log(`total ${fmt((performance.now() - started) / 1000)} s`);
    if (opts.json) {
      const out = rows.map((r) => ({
        name: r.name,
        unit: r.unit,
        value: round(r.value),
        baseline: r.baseline === null ? null : round(r.baseline),
        ratio: r.ratio === null ? null : round(r.ratio, 3),
        p50: r.p50 === null ? null : round(r.p50, 3),
        p99: r.p99 === null ? null : round(r.p99, 3),
        baselineP50: r.baselineP50 === null ? null : round(r.baselineP50, 3),
        baselineP99: r.baselineP99 === null ? null : round(r.baselineP99, 3),
      }));
      writeFileSync(opts.json, `${JSON.stringify(out, null, 2)}\n`);
      log(`wrote ${opts.json}`);
    }
  } finally {
    for (const h of http) h.close();
    await api?.close().catch(() => undefined);
    await sampler.end().catch(() => undefined);
    await drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
