/**
 * Event store benchmark: each store operation next to the same operation as raw SQL through
 * `pg`, at the same concurrency, in one run, against a scratch database of its own.
 *
 *   npm run bench:store -- [--quick] [--json FILE] [--only NAME[,NAME...]] [--batch-size N]
 *
 * DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres); the
 * bench creates `pl_bench_<pid>` there, migrates it, and drops it at the end (also on Ctrl-C).
 * Sealing is measured three ways: appends with the sealer running beside them, the sealer
 * catching up over the seeded log, and `verify` recomputing the seal of that log.
 * See docs/benchmarks.md for what each row measures.
 */
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CompiledQuery, type Transaction } from 'kysely';
import type { Pool, PoolClient } from 'pg';
import { createDb, createPool } from '@app/db/connection';
import { migrateToLatest } from '@app/db/migrator';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  EventStore,
  ProjectionRunner,
  SEAL_BATCH_SIZE,
  SEAL_PROJECTION,
  sealingProjection,
  verifyLedger,
  type EventStoreTables,
  type Projection,
  type StoredEvent,
} from '@app/event-store';
import { Histogram, admin, formatTable, withDatabase } from './common';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  quick: boolean;
  json?: string;
  only?: string[];
  serverUrl: string;
  warmupMs: number;
  /** Measured time per side, cut into `rounds` alternating slices. */
  durationMs: number;
  rounds: number;
  catchupEvents: number;
  readStreams: number;
  batchSize: number;
}

function parseArgs(argv: string[]): Options {
  let quick = false;
  let json: string | undefined;
  let only: string[] | undefined;
  let batchSize = 2000; // the ProjectionRunner's default
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--json') json = argv[++i];
    else if (a.startsWith('--json=')) json = a.slice('--json='.length);
    else if (a === '--only') only = argv[++i]?.split(',');
    else if (a.startsWith('--only=')) only = a.slice('--only='.length).split(',');
    else if (a === '--batch-size') batchSize = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log('usage: store-bench [--quick] [--json FILE] [--only append.c1,read.stream20.c8,...] [--batch-size N]');
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  if (json === undefined && argv.includes('--json')) {
    console.error('--json needs a file name');
    process.exit(2);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    console.error('--batch-size needs a positive integer');
    process.exit(2);
  }
  return {
    quick,
    json,
    only,
    serverUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    warmupMs: quick ? 1000 : 2000,
    durationMs: quick ? 3000 : 10_000,
    rounds: quick ? 3 : 10,
    catchupEvents: quick ? 200_000 : 1_000_000,
    readStreams: quick ? 1000 : 2000,
    batchSize,
  };
}

// ---------------------------------------------------------------------------------------------
// Measurement

interface SideResult {
  /** Units per second (events/s, reads/s). */
  rate: number;
  ops: number;
  seconds: number;
  p50?: number;
  p99?: number;
  /** This process's CPU (client side: driver, Kysely, store code) per operation, µs. */
  cpuUsPerOp?: number;
  peakRssMb?: number;
}

type Op = (worker: number) => Promise<number>;

/** Accumulates one side's measured windows. */
class Meter {
  readonly hist = new Histogram();
  units = 0;
  ops = 0;
  ms = 0;
  cpuUs = 0;

  result(): SideResult {
    const seconds = this.ms / 1000;
    return {
      rate: this.units / seconds,
      ops: this.ops,
      seconds,
      p50: this.hist.quantile(0.5),
      p99: this.hist.quantile(0.99),
      cpuUsPerOp: this.cpuUs / this.ops,
    };
  }
}

/**
 * `concurrency` workers call `op` back to back for `ms`; with a meter, operations that
 * complete inside the window are counted (`op` returns the units it did), else it is a warm-up.
 */
async function runWindow(concurrency: number, ms: number, op: Op, meter?: Meter): Promise<void> {
  const start = performance.now();
  const end = start + ms;
  const cpu0 = process.cpuUsage();
  const worker = async (w: number) => {
    while (performance.now() < end) {
      const a = performance.now();
      const n = await op(w);
      const b = performance.now();
      if (meter && b < end) {
        meter.units += n;
        meter.ops++;
        meter.hist.record(b - a);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  if (meter) {
    const cpu = process.cpuUsage(cpu0);
    meter.ms += ms;
    meter.cpuUs += cpu.user + cpu.system;
  }
}

/**
 * Measures the store and its raw baseline at the same concurrency: a warm-up of each, then
 * the measured time cut into slices that alternate between the two sides (raw first, then
 * store first, …), so a burst of load from elsewhere on the machine hits both alike.
 */
async function compare(ctx: Ctx, concurrency: number, raw: Op, store: Op): Promise<{ store: SideResult; raw: SideResult }> {
  const { warmupMs, durationMs, rounds } = ctx.opts;
  await runWindow(concurrency, warmupMs, raw);
  await runWindow(concurrency, warmupMs, store);
  await settle(ctx.admin);
  const rawMeter = new Meter();
  const storeMeter = new Meter();
  const slice = durationMs / rounds;
  for (let r = 0; r < rounds; r++) {
    const sides: [Op, Meter][] = [[raw, rawMeter], [store, storeMeter]];
    if (r % 2 === 1) sides.reverse();
    for (const [op, meter] of sides) await runWindow(concurrency, slice, op, meter);
  }
  return { store: storeMeter.result(), raw: rawMeter.result() };
}

// ---------------------------------------------------------------------------------------------
// Database plumbing

/** Flushes dirty buffers so a checkpoint does not land inside the next measurement. */
async function settle(pool: Pool): Promise<void> {
  await pool.query('CHECKPOINT').catch(() => undefined); // needs superuser or pg_checkpoint
}

const TYPES = ['PolicyActionRecorded', 'PolicyActionAmended', 'SourceAttached', 'JurisdictionNamed', 'PolicyActionWithdrawn'];

/** The event body both sides write: ~170 bytes of JSON, like a small domain event. */
function eventData(worker: number, seq: number): Record<string, unknown> {
  return {
    actionId: `act-${worker}-${seq}`,
    title: 'Executive order amending the state procurement code',
    jurisdiction: 'ocd-division/country:us/state:ca',
    effectiveOn: '2026-11-24',
    seq,
  };
}

const log = (msg: string) => process.stdout.write(`${msg}\n`);

function progress(msg: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r${msg}\x1b[K`);
  else log(msg);
}

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Row {
  name: string;
  unit: string;
  value: number;
  baseline: number;
  ratio: number;
  store: SideResult;
  raw: SideResult;
  baselineNote: string;
}

interface Ctx {
  opts: Options;
  url: string;
  admin: Pool;
}

const STREAMS_PER_WORKER = 50;

async function withSides<T>(
  ctx: Ctx,
  poolSize: number,
  fn: (sides: { store: EventStore; raw: Pool }) => Promise<T>,
): Promise<T> {
  const db = createDb<EventStoreTables>(ctx.url, { max: poolSize, applicationName: 'pl-bench-store' });
  const raw = createPool(ctx.url, { max: poolSize, applicationName: 'pl-bench-raw' });
  try {
    return await fn({ store: new EventStore(db), raw });
  } finally {
    await db.destroy();
    await raw.end();
  }
}

/** One event per append, exact expected version; baseline: single-row INSERT. */
async function appendScenario(ctx: Ctx, name: string, clients: number, perAppend: number, sealing = false): Promise<Row> {
  return withSides(ctx, clients, async ({ store, raw }) => {
    // With sealing on, a signing sealer follows the log in this process, as the API's does,
    // through both sides' windows: the ratio says what sealing costs the writers.
    const sealer = sealing ? new ProjectionRunner(store, [sealingProjection({ signingKey: SIGNING_KEY })]) : undefined;
    await sealer?.start();
    // Raw: a plain INSERT (one row, or one multi-row VALUES list) per operation.
    const valuesSql = Array.from({ length: perAppend }, (_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`).join(', ');
    const insertSql = `INSERT INTO raw_events (stream_id, type, data) VALUES ${valuesSql}`;
    const rawSeq = new Array<number>(clients).fill(0);
    const rawOp: Op = async (w) => {
      const n = rawSeq[w]++;
      const streamId = `${name}-w${w}-s${n % STREAMS_PER_WORKER}`;
      const params: unknown[] = [];
      for (let i = 0; i < perAppend; i++) params.push(streamId, TYPES[(n + i) % TYPES.length], JSON.stringify(eventData(w, n * perAppend + i)));
      await raw.query(insertSql, params);
      return perAppend;
    };

    // Store: each worker owns 50 streams and appends with the exact version it tracks.
    const versions = Array.from({ length: clients }, () => new Array<number>(STREAMS_PER_WORKER).fill(0));
    const storeSeq = new Array<number>(clients).fill(0);
    const storeOp: Op = async (w) => {
      const n = storeSeq[w]++;
      const s = n % STREAMS_PER_WORKER;
      const events = [];
      for (let i = 0; i < perAppend; i++) events.push({ type: TYPES[(n + i) % TYPES.length], data: eventData(w, n * perAppend + i) });
      const result = await store.append(`${name}-w${w}-s${s}`, events, { expectedVersion: versions[w][s] });
      versions[w][s] = result.version;
      return perAppend;
    };

    const { store: storeResult, raw: rawResult } = await compare(ctx, clients, rawOp, storeOp).finally(() => sealer?.stop());
    if (sealer) {
      const { lag } = (await sealer.status())[0];
      log(`  the sealer was ${lag} events behind when the windows ended`);
    }
    return row(name, 'events/s', storeResult, rawResult,
      sealing ? `raw single-row INSERT, ${plural(clients, 'client')}; the sealer (signing) running beside the store side, as in the API` : perAppend === 1
        ? `raw single-row INSERT, ${plural(clients, 'client')}`
        : `raw ${perAppend}-row INSERT … VALUES, ${plural(clients, 'client')}`);
  });
}

/** readStream of random 20-event streams; baseline: SELECT by stream_id on an indexed raw table. */
async function readScenario(ctx: Ctx, name: string, clients: number, streamLength: number): Promise<Row> {
  const { readStreams } = ctx.opts;
  const total = readStreams * streamLength;
  // The same rows in both tables, interleaved across streams as real appends would be.
  log(`  preparing ${readStreams} streams × ${streamLength} events in both tables`);
  await ctx.admin.query(`
    INSERT INTO events (stream_id, stream_version, type, data)
    SELECT 'read-' || (g % ${readStreams}), g / ${readStreams} + 1, (ARRAY['${TYPES.join("','")}'])[g % ${TYPES.length} + 1],
           jsonb_build_object('actionId', 'act-' || g, 'title', 'Executive order amending the state procurement code',
                              'jurisdiction', 'ocd-division/country:us/state:ca', 'effectiveOn', '2026-11-24', 'seq', g)
      FROM generate_series(0, ${total - 1}) g ORDER BY g`);
  await ctx.admin.query(`
    CREATE TABLE raw_read (id bigserial PRIMARY KEY, stream_id text NOT NULL, type text NOT NULL, data jsonb NOT NULL)`);
  await ctx.admin.query(`
    INSERT INTO raw_read (stream_id, type, data)
    SELECT stream_id, type, data FROM events WHERE stream_id LIKE 'read-%' ORDER BY "position"`);
  await ctx.admin.query('CREATE INDEX raw_read_stream ON raw_read (stream_id, id)');
  await ctx.admin.query('VACUUM (ANALYZE) events');
  await ctx.admin.query('VACUUM (ANALYZE) raw_read');

  return withSides(ctx, clients, async ({ store, raw }) => {
    const pick = () => `read-${Math.floor(Math.random() * readStreams)}`;
    const check = (n: number) => {
      if (n !== streamLength) throw new Error(`expected ${streamLength} events in a stream, got ${n}`);
    };
    const { store: storeResult, raw: rawResult } = await compare(ctx, clients,
      async () => {
        const { rows } = await raw.query('SELECT id, stream_id, type, data FROM raw_read WHERE stream_id = $1 ORDER BY id', [pick()]);
        check(rows.length);
        return 1;
      },
      async () => {
        check((await store.readStream(pick())).length);
        return 1;
      });
    return row(name, 'reads/s', storeResult, rawResult, `raw SELECT … WHERE stream_id = $1 ORDER BY id, index (stream_id, id), ${clients} clients`);
  });
}

/** Peak RSS while `fn` runs, sampled every 25 ms. */
async function withRssSampling<T>(fn: () => Promise<T>): Promise<{ result: T; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakRssMb: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

/** Counts per event type, upserted once per batch. */
function countByType(events: readonly { type: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return counts;
}

function upsertCountsSql(table: string, counts: Map<string, number>): { text: string; values: unknown[] } {
  return {
    text: `INSERT INTO ${table} (type, n) SELECT * FROM unnest($1::text[], $2::bigint[])
           ON CONFLICT (type) DO UPDATE SET n = ${table}.n + excluded.n`,
    values: [[...counts.keys()], [...counts.values()]],
  };
}

/**
 * Loads the log the projection catches up over: N events in one transaction (10,000 streams
 * of 100 events at full size, interleaved), then the same rows into raw_events, so that the
 * append scenarios that follow write into tables of the same size on both sides.
 */
async function seed(ctx: Ctx): Promise<void> {
  const { catchupEvents: total } = ctx.opts;
  const a = ctx.admin;
  const streams = Math.max(1, Math.floor(total / 100));
  const chunk = 100_000;
  const loadStart = performance.now();
  const client = await a.connect();
  try {
    await client.query('BEGIN');
    for (let lo = 0; lo < total; lo += chunk) {
      const hi = Math.min(total, lo + chunk) - 1;
      await client.query(`
        INSERT INTO events (stream_id, stream_version, type, data)
        SELECT 'seed-' || (g % ${streams}), g / ${streams} + 1, (ARRAY['${TYPES.join("','")}'])[g % ${TYPES.length} + 1],
               jsonb_build_object('actionId', 'act-' || g, 'title', 'Executive order amending the state procurement code',
                                  'jurisdiction', 'ocd-division/country:us/state:ca', 'effectiveOn', '2026-11-24', 'seq', g)
          FROM generate_series(${lo}, ${hi}) g ORDER BY g`);
      progress(`  loading events: ${(hi + 1).toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${((performance.now() - loadStart) / 1000).toFixed(1)} s)`);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  if (process.stdout.isTTY) process.stdout.write('\n');
  progress('  copying the same rows into raw_events');
  await a.query('INSERT INTO raw_events (stream_id, type, data) SELECT stream_id, type, data FROM events ORDER BY "position"');
  progress('  vacuum analyze (sets hint bits and the visibility map, so neither side pays for them)');
  await a.query('VACUUM (ANALYZE) events');
  await a.query('VACUUM (ANALYZE) raw_events');
  if (process.stdout.isTTY) process.stdout.write('\n');
  log(`  seeded ${total.toLocaleString('en-US')} events in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
}

/** ProjectionRunner.catchUp over the seeded log; baseline: keyset paging by position. */
async function projectionScenario(ctx: Ctx, name: string): Promise<Row> {
  const { catchupEvents: total, batchSize } = ctx.opts;
  const a = ctx.admin;
  const projectionName = 'bench-type-counts';
  await a.query('CREATE TABLE bench_type_counts (type text PRIMARY KEY, n bigint NOT NULL)');
  await a.query('CREATE TABLE raw_type_counts (type text PRIMARY KEY, n bigint NOT NULL)');
  const { rows: sizes } = await a.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  if (sizes[0].n !== total) throw new Error(`projection.catchup must run on the freshly seeded log (${sizes[0].n} events, expected ${total})`);

  const rawPool = createPool(ctx.url, { max: 1, applicationName: 'pl-bench-raw' });
  const db = createDb<EventStoreTables>(ctx.url, { max: 2, applicationName: 'pl-bench-store' });
  const store = new EventStore(db);
  const projection: Projection = {
    name: projectionName,
    eventTypes: TYPES,
    async handle(trx: Transaction<EventStoreTables>, events: StoredEvent[]) {
      const q = upsertCountsSql('bench_type_counts', countByType(events));
      await trx.executeQuery(CompiledQuery.raw(q.text, q.values));
    },
  };
  const runner = new ProjectionRunner(store, [projection], { batchSize });

  // Raw baseline: keyset paging on position, same batch size, same aggregation and upsert,
  // each batch in its own transaction (no lock, no checkpoint row, no gap-safety).
  const rawPass = async (): Promise<number> => {
    await a.query('TRUNCATE raw_type_counts');
    const c: PoolClient = await rawPool.connect();
    try {
      return await keysetPass<{ position: number; stream_id: string; type: string; data: unknown }>(c, 'stream_id, stream_version, type, data', batchSize, async (rows) => {
        if (rows.length) await c.query(upsertCountsSql('raw_type_counts', countByType(rows)));
      });
    } finally {
      c.release();
    }
  };
  // Store: ProjectionRunner.catchUp (lock, checkpoint, gap-safe commit-order read, upsert)
  // from the start of the log.
  const storePass = async (): Promise<number> => {
    await a.query('DELETE FROM projection_checkpoints WHERE name = $1', [projectionName]);
    await a.query('TRUNCATE bench_type_counts');
    return runner.catchUp(projectionName);
  };

  // Two passes per side, raw/store/store/raw, so load from elsewhere hits both alike.
  let measured: { store: SideResult; raw: SideResult };
  try {
    measured = await timedPasses(ctx, total, [
      { side: 'raw', run: rawPass }, { side: 'store', run: storePass }, { side: 'store', run: storePass }, { side: 'raw', run: rawPass },
    ]);
  } finally {
    await db.destroy();
    await rawPool.end();
  }
  const { rows: check } = await a.query<{ same: boolean }>(`
    SELECT (SELECT jsonb_object_agg(type, n) FROM bench_type_counts) = (SELECT jsonb_object_agg(type, n) FROM raw_type_counts) AS same`);
  if (!check[0].same) throw new Error('projection and baseline counted differently');
  return row(name, 'events/s', measured.store, measured.raw,
    `raw keyset SELECT … WHERE position > $1 ORDER BY position LIMIT ${batchSize} + same count-per-type upsert, 1 client`);
}

const SIGNING_KEY = generateKeyPairSync('ed25519').privateKey;

/** Seals from scratch: the bench's one licence to empty the append-only seal tables. */
async function resetSeals(a: Pool): Promise<void> {
  await a.query(`ALTER TABLE ledger_seals DISABLE TRIGGER USER; ALTER TABLE ledger_tiles DISABLE TRIGGER USER;
                 TRUNCATE ledger_seals, ledger_tiles;
                 ALTER TABLE ledger_seals ENABLE TRIGGER USER; ALTER TABLE ledger_tiles ENABLE TRIGGER USER`);
  await a.query('DELETE FROM projection_checkpoints WHERE name = $1', [SEAL_PROJECTION]);
}

/**
 * The floor under any seal: every event read by keyset, hashed once (SHA-256 of its row as
 * JSON), the batch's hashes written in one row; each batch its own transaction.
 */
async function rawHashPass(url: string, batchSize: number, write: boolean): Promise<number> {
  const pool = createPool(url, { max: 1, applicationName: 'pl-bench-raw' });
  const c = await pool.connect();
  try {
    if (write) await c.query('CREATE TABLE IF NOT EXISTS raw_seals (id bigserial PRIMARY KEY, hashes bytea NOT NULL); TRUNCATE raw_seals');
    return await keysetPass(c, 'stream_id, stream_version, type, schema_version, data, metadata', batchSize, async (rows) => {
      const hashes = rows.map((r) => createHash('sha256').update(JSON.stringify(r)).digest());
      if (write && rows.length) await c.query('INSERT INTO raw_seals (hashes) VALUES ($1)', [Buffer.concat(hashes)]);
    });
  } finally {
    c.release();
    await pool.end();
  }
}

/**
 * The raw baselines' read: the whole log by keyset on position, `batchSize` rows at a time,
 * each batch and what `apply` does with it in one transaction (no lock, no checkpoint row, no
 * gap-safety horizon). Returns the rows read.
 */
async function keysetPass<R extends { position: number }>(c: PoolClient, columns: string, batchSize: number, apply: (rows: R[]) => Promise<void>): Promise<number> {
  let seen = 0;
  let after = 0;
  for (;;) {
    await c.query('BEGIN');
    const { rows } = await c.query<R>(`SELECT "position", ${columns} FROM events WHERE "position" > $1 ORDER BY "position" LIMIT $2`, [after, batchSize]);
    await apply(rows);
    await c.query('COMMIT');
    seen += rows.length;
    if (rows.length < batchSize) return seen;
    after = rows[rows.length - 1].position;
  }
}

/** Runs `passes` (raw/store order given), each timed with CPU and peak RSS; sums per side. */
async function timedPasses(ctx: Ctx, total: number, passes: { side: 'raw' | 'store'; run: () => Promise<number> }[]): Promise<{ store: SideResult; raw: SideResult }> {
  const sides = { raw: { n: 0, ms: 0, cpuUs: 0, rss: 0, passes: 0 }, store: { n: 0, ms: 0, cpuUs: 0, rss: 0, passes: 0 } };
  for (const { side, run } of passes) {
    await settle(ctx.admin);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const { result: n, peakRssMb } = await withRssSampling(run);
    const cpu = process.cpuUsage(cpu0);
    const acc = sides[side];
    acc.ms += performance.now() - t0;
    acc.cpuUs += cpu.user + cpu.system;
    acc.rss = Math.max(acc.rss, peakRssMb);
    acc.passes++;
    if (n !== total) throw new Error(`${side} pass saw ${n} events, expected ${total}`);
    acc.n += n;
    log(`  ${side} pass: ${fmt(n / ((performance.now() - t0) / 1000))} events/s, ${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${fmt(peakRssMb)} MB`);
  }
  const result = (x: typeof sides.raw): SideResult =>
    ({ rate: x.n / (x.ms / 1000), ops: x.n, seconds: x.ms / x.passes / 1000, peakRssMb: x.rss, cpuUsPerOp: x.cpuUs / x.n });
  return { store: result(sides.store), raw: result(sides.raw) };
}

/** The sealer catching up over the seeded log from nothing; baseline: rawHashPass. */
async function sealScenario(ctx: Ctx, name: string): Promise<Row> {
  const { catchupEvents: total } = ctx.opts;
  // The seal's own batch (not --batch-size), on both sides.
  const batchSize = SEAL_BATCH_SIZE;
  const db = createDb<EventStoreTables>(ctx.url, { max: 2, applicationName: 'pl-bench-store' });
  const runner = new ProjectionRunner(new EventStore(db), [sealingProjection({ signingKey: SIGNING_KEY })]);
  const seal = async () => {
    await resetSeals(ctx.admin);
    return runner.catchUp(SEAL_PROJECTION);
  };
  const raw = () => rawHashPass(ctx.url, batchSize, true);
  try {
    const { store, raw: base } = await timedPasses(ctx, total, [
      { side: 'raw', run: raw }, { side: 'store', run: seal }, { side: 'store', run: seal }, { side: 'raw', run: raw },
    ]);
    return row(name, 'events/s', store, base, `raw keyset SELECT of the sealed columns LIMIT ${batchSize} + one SHA-256 per event + one INSERT of the batch's hashes, 1 client; the seal signs every batch`);
  } finally {
    await db.destroy();
  }
}

/** verify over the sealed log: every leaf, root, chain and signature; baseline: rawHashPass reading only. */
async function verifyScenario(ctx: Ctx, name: string): Promise<Row> {
  const { catchupEvents: total } = ctx.opts;
  const batchSize = SEAL_BATCH_SIZE; // verify's page, on both sides
  const { rows } = await ctx.admin.query<{ size: string | null }>('SELECT max(size) AS size FROM ledger_seals');
  if (Number(rows[0].size ?? 0) !== total) throw new Error(`verify runs after seal.catchup, on the sealed seeded log (${rows[0].size} sealed, expected ${total})`);
  const db = createDb<EventStoreTables>(ctx.url, { max: 2, applicationName: 'pl-bench-store' });
  const store = new EventStore(db);
  const verify = async () => {
    const report = await verifyLedger(store);
    if (!report.ok) throw new Error(`verify failed: ${report.mismatch?.message}`);
    return report.eventsChecked;
  };
  try {
    const { store: result, raw } = await timedPasses(ctx, total, [
      { side: 'raw', run: () => rawHashPass(ctx.url, batchSize, false) }, { side: 'store', run: verify },
    ]);
    return row(name, 'events/s', result, raw, `raw keyset SELECT of the sealed columns LIMIT ${batchSize} + one SHA-256 per event, 1 client, nothing written`);
  } finally {
    await db.destroy();
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function row(name: string, unit: string, store: SideResult, raw: SideResult, baselineNote: string): Row {
  return { name, unit, value: store.rate, baseline: raw.rate, ratio: store.rate / raw.rate, store, raw, baselineNote };
}

// ---------------------------------------------------------------------------------------------
// Output

function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined || Number.isNaN(n)) return '';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function printTable(rows: Row[]): void {
  const header = ['name', 'unit', 'value', 'baseline', 'ratio', 'p50 ms', 'p99 ms', 'base p50', 'base p99', 'cpu µs/op', 'base cpu'];
  const lines: string[][] = [header];
  for (const r of rows) {
    lines.push([r.name, r.unit, fmt(r.value), fmt(r.baseline), fmt(r.ratio, 2),
      fmt(r.store.p50, 2), fmt(r.store.p99, 2), fmt(r.raw.p50, 2), fmt(r.raw.p99, 2),
      fmt(r.store.cpuUsPerOp, 1), fmt(r.raw.cpuUsPerOp, 1)]);
    if (r.store.peakRssMb !== undefined) {
      const blank = ['', '', '', '', '', ''];
      lines.push([`${r.name}.peak_rss`, 'MB', fmt(r.store.peakRssMb), fmt(r.raw.peakRssMb), '', ...blank]);
      lines.push([`${r.name}.seconds_per_pass`, 's', fmt(r.store.seconds, 1), fmt(r.raw.seconds, 1), '', ...blank]);
    }
  }
  log(formatTable(lines, (i) => i < 2));
  log('baselines:');
  for (const r of rows) log(`  ${r.name}: ${r.baselineNote}`);
}

// ---------------------------------------------------------------------------------------------
// Main

const SCENARIOS: { name: string; run: (ctx: Ctx, name: string) => Promise<Row> }[] = [
  // First: it catches up over the seeded log, before the other scenarios add to it.
  { name: 'projection.catchup', run: (c, n) => projectionScenario(c, n) },
  // Then the seal of that same log, and its verification.
  { name: 'seal.catchup', run: (c, n) => sealScenario(c, n) },
  { name: 'verify', run: (c, n) => verifyScenario(c, n) },
  { name: 'append.c1', run: (c, n) => appendScenario(c, n, 1, 1) },
  { name: 'append.c8', run: (c, n) => appendScenario(c, n, 8, 1) },
  { name: 'append.c8.sealed', run: (c, n) => appendScenario(c, n, 8, 1, true) },
  { name: 'append.c16', run: (c, n) => appendScenario(c, n, 16, 1) },
  { name: 'append.batch100.c4', run: (c, n) => appendScenario(c, n, 4, 100) },
  { name: 'read.stream20.c8', run: (c, n) => readScenario(c, n, 8, 20) },
];

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const dbName = `pl_bench_${process.pid}`;
  const url = withDatabase(opts.serverUrl, dbName);
  const started = performance.now();

  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await admin(opts.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
  };
  const onSignal = (sig: NodeJS.Signals) => {
    log(`\n${sig}: dropping ${dbName}`);
    drop().catch((err) => console.error(err)).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const serverInfo = await admin(opts.serverUrl, async (c) => {
    await c.query(`CREATE DATABASE "${dbName}"`);
    const { rows } = await c.query<{ v: string; sb: string; sc: string }>(
      `SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb,
              current_setting('synchronous_commit') AS sc`);
    return rows[0];
  });
  const adminPool = createPool(url, { max: 2, applicationName: 'pl-bench-admin' });
  try {
    const mdb = createDb(url, { max: 1 });
    await migrateToLatest(mdb);
    await mdb.destroy();
    await adminPool.query(
      'CREATE TABLE raw_events (id bigserial PRIMARY KEY, stream_id text NOT NULL, type text NOT NULL, data jsonb NOT NULL)');

    log(`store bench${opts.quick ? ' (quick)' : ''}: ${dbName} on PostgreSQL ${serverInfo.v} ` +
      `(shared_buffers ${serverInfo.sb}, synchronous_commit ${serverInfo.sc}); ` +
      `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB; ` +
      `${opts.warmupMs / 1000} s warm-up + ${opts.durationMs / 1000} s per side and measurement ` +
      `(${opts.rounds} alternating slices of ${opts.durationMs / opts.rounds / 1000} s)`);

    const ctx: Ctx = { opts, url, admin: adminPool };
    log(`seeding ${opts.catchupEvents.toLocaleString('en-US')} events (not measured) …`);
    await seed(ctx);
    const rows: Row[] = [];
    for (const s of SCENARIOS) {
      if (opts.only && !opts.only.includes(s.name)) continue;
      log(`${s.name} …`);
      const r = await s.run(ctx, s.name);
      log(`  ${fmt(r.value)} ${r.unit} vs raw ${fmt(r.baseline)} → ${fmt(r.ratio, 2)}`);
      rows.push(r);
    }
    // Report in the usual order (append, read, projection), whatever order they ran in.
    const order = ['append.c1', 'append.c8', 'append.c8.sealed', 'append.c16', 'append.batch100.c4', 'read.stream20.c8', 'projection.catchup', 'seal.catchup', 'verify'];
    rows.sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name));
    printTable(rows);
    log(`total ${((performance.now() - started) / 1000).toFixed(0)} s, process max RSS ${fmt(process.resourceUsage().maxRSS / 1024)} MB`);

    if (opts.json) {
      const out = rows.map((r) => ({
        name: r.name,
        unit: r.unit,
        value: round(r.value),
        baseline: round(r.baseline),
        ratio: round(r.ratio, 3),
        p50Ms: r.store.p50 === undefined ? undefined : round(r.store.p50, 3),
        p99Ms: r.store.p99 === undefined ? undefined : round(r.store.p99, 3),
        baselineP50Ms: r.raw.p50 === undefined ? undefined : round(r.raw.p50, 3),
        baselineP99Ms: r.raw.p99 === undefined ? undefined : round(r.raw.p99, 3),
        cpuUsPerOp: r.store.cpuUsPerOp === undefined ? undefined : round(r.store.cpuUsPerOp, 1),
        baselineCpuUsPerOp: r.raw.cpuUsPerOp === undefined ? undefined : round(r.raw.cpuUsPerOp, 1),
        peakRssMb: r.store.peakRssMb === undefined ? undefined : round(r.store.peakRssMb, 1),
      }));
      writeFileSync(opts.json, `${JSON.stringify(out, null, 2)}\n`);
      log(`wrote ${opts.json}`);
    }
  } finally {
    await adminPool.end().catch(() => undefined);
    await drop();
  }
}

function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
