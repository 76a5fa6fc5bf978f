/**
 * Ingestion benchmark: Federal Register documents served by a local server in the API's own
 * format, run through the whole BullMQ pipeline (a queued run job, the worker's SourceRunner:
 * fetch, parse, normalise, match places, propose, store page by page), beside, in the same run:
 * - a bare EventStore.appendMany of the same ActionProposed events (same inline projections,
 *   batches of 1000) on a database of its own: the baseline;
 * - a BullMQ no-op of as many jobs: what the queue itself costs per job;
 * - a re-ingest of everything (a `since` run), which must append nothing.
 *
 *   npm run bench:ingest -- [--items N]
 *
 * DATABASE_URL names the Postgres server (default postgres://postgres@127.0.0.1:5432/postgres),
 * REDIS_URL the Redis (default redis://127.0.0.1:6379). The bench creates two scratch databases
 * and a BullMQ prefix of its own, and removes them at the end (also on Ctrl-C).
 * See docs/benchmarks-ingest.md.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { NestFactory } from '@nestjs/core';
import { Queue, Worker } from 'bullmq';
import { sql, type Kysely } from 'kysely';
import { parseConfig } from '@app/config';
import { createDb } from '@app/db/connection';
import { migrateToLatest } from '@app/db/migrator';
import { EventStore, type StreamAppend } from '@app/event-store';
import { BullmqIngestionQueue, ingestionDb, redisConnection, sourceQueueName } from '@app/ingestion';
import { policyInlineProjections } from '@app/policy';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { generateDocuments, startFederalRegisterServer } from '../../apps/worker/src/testing/federal-register-server';
import { deleteKeys } from '../../apps/worker/src/testing/redis-keys';
import { admin, formatTable, withDatabase } from './common';

const SOURCE = 'federal-register:bench';
const START = '2017-01-20';
const BATCH = 1000;

const log = (line: string) => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stdout.isTTY && process.stdout.write(`\r${line}\x1b[K`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

interface Row {
  step: string;
  items: number;
  seconds: number;
  note: string;
}

function parseArgs(argv: string[]): { items: number } {
  let items = 10_000;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--items') items = Number(argv[++i]);
    else {
      console.error(`unknown argument: ${argv[i]}\nusage: ingest-bench [--items N]`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(items) || items < 1000) {
    console.error('--items needs an integer of at least 1000');
    process.exit(2);
  }
  return { items };
}

async function main(): Promise<void> {
  const { items } = parseArgs(process.argv.slice(2));
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `pl-bench-ingest-${process.pid}`;
  const pipelineDbName = `pl_bench_ingest_${process.pid}`;
  const appendDbName = `pl_bench_append_${process.pid}`;
  const closers: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => console.error(err));
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  log(`ingest bench: ${fmt(items)} Federal Register documents; ${cpus().length} CPUs, Node ${process.version}`);
  const databases: Kysely<any>[] = [];
  for (const name of [pipelineDbName, appendDbName]) {
    await admin(serverUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${name}"`);
    });
    closers.push(() => admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
    const db = createDb<any>(withDatabase(serverUrl, name), { max: 10, applicationName: 'pl-bench-ingest' });
    closers.push(() => db.destroy());
    await migrateToLatest(db);
    databases.push(db);
  }
  const [pipelineDb, appendDb] = databases;
  closers.push(() => deleteKeys(redisUrl, prefix));

  // Ten documents signed a day from 2017-01-20: with windows of 366 days each holds at most
  // 3,660, well under the API's 10,000 a window, in pages of 1000.
  const documents = generateDocuments(items, { from: START, perDay: 10 });
  const server = await startFederalRegisterServer(documents);
  closers.push(() => server.close());
  const rows: Row[] = [];

  try {
    // 1. The queue alone: as many jobs as documents, each doing nothing, one at a time (as a source queue runs).
    {
      const connection = redisConnection(redisUrl);
      const queue = new Queue('bench-noop', { connection, prefix });
      let done = 0;
      const started = performance.now();
      const worker = new Worker('bench-noop', async () => undefined, { connection, prefix, concurrency: 1 });
      const finished = new Promise<void>((resolve) =>
        worker.on('completed', () => {
          if (++done % 1000 === 0) progress(`bullmq no-op: ${fmt(done)}/${fmt(items)} jobs`);
          if (done === items) resolve();
        }),
      );
      for (let i = 0; i < items; i += BATCH) {
        await queue.addBulk(Array.from({ length: Math.min(BATCH, items - i) }, (_, j) => ({ name: 'noop', data: { n: i + j }, opts: { removeOnComplete: true } })));
      }
      await finished;
      const seconds = (performance.now() - started) / 1000;
      progress('');
      rows.push({ step: 'bullmq no-op jobs', items, seconds, note: 'addBulk of 1000s, worker concurrency 1' });
      await worker.close();
      await queue.close();
    }

    // 2. The pipeline: one queued run job, the worker's SourceRunner storing page after page.
    const config = parseConfig({
      DATABASE_URL: withDatabase(serverUrl, pipelineDbName),
      REDIS_URL: redisUrl,
      BULLMQ_PREFIX: prefix,
      // The baseline runs no asynchronous projection; this worker is an ingestion worker only,
      // as a deployment that keeps the relation graph to another process has it.
      RUN_PROJECTIONS: 'false',
      LOG_LEVEL: 'silent',
      // The default sources are never asked: nothing listens there.
      FEDERAL_REGISTER_BASE_URL: 'http://127.0.0.1:9/api/v1',
      DOJ_BASE_URL: 'http://127.0.0.1:9/api/v1',
      LEGISTAR_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    // Added before the worker boots, which gives its queue a Worker (a source added later waits for the next sync).
    await ingestionDb(pipelineDb)
      .insertInto('ingestion_sources')
      .values({ id: SOURCE, type: 'federal-register', name: 'bench', config: JSON.stringify({ baseUrl: server.baseUrl, windowDays: 366, perPage: 1000, startDate: START }), enabled: false, schedule: '0 6 * * *' })
      .execute();
    const app = await NestFactory.createApplicationContext(
      // A local server needs no politeness: the source's rate limit (250 ms a request) is off.
      WorkerModule.forRoot({ config, db: pipelineDb, databaseUrl: withDatabase(serverUrl, pipelineDbName), ingestion: { http: { minIntervalMs: 0 } } }),
      { logger: false },
    );
    closers.push(() => app.close());
    await app.init();
    const producer = new BullmqIngestionQueue(redisConnection(redisUrl), prefix);
    closers.push(() => producer.close());
    const sourceQueue = producer.queue(sourceQueueName(SOURCE));

    // Every event, of any type: a re-ingest must append nothing at all (no correction, no
    // suggestion); a first ingest appends the proposals and the jurisdictions they name.
    const countEvents = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(pipelineDb)).rows[0].n);
    const countProposals = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM events WHERE type = 'ActionProposed'`.execute(pipelineDb)).rows[0].n);
    const runJob = async (label: string, since?: string) => {
      const before = await countEvents();
      const started = performance.now();
      const jobId = await producer.enqueueRun({ sourceId: SOURCE, trigger: 'manual', since });
      for (;;) {
        const job = await sourceQueue.getJob(jobId);
        const state = job ? await job.getState() : 'missing';
        if (state === 'failed') throw new Error(`${label}: the job failed: ${job?.failedReason}`);
        if (state === 'completed') {
          const seconds = (performance.now() - started) / 1000;
          progress('');
          return { seconds, result: job!.returnvalue as Record<string, number>, appended: (await countEvents()) - before };
        }
        const run = await ingestionDb(pipelineDb).selectFrom('ingestion_runs').select(['fetched', 'proposed', 'unchanged']).orderBy('id', 'desc').executeTakeFirst();
        if (run) progress(`${label}: ${fmt(run.fetched)}/${fmt(items)} fetched, ${fmt(run.proposed)} proposed, ${fmt(run.unchanged)} unchanged`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };

    const first = await runJob('first ingest');
    if ((await countProposals()) !== items || first.result.proposed !== items) throw new Error(`first ingest proposed ${first.result.proposed}, appended ${first.appended}; expected ${items}`);
    rows.push({ step: 'first ingest (BullMQ → SourceRunner)', items, seconds: first.seconds, note: `${first.result.pages} pages, ${fmt(first.appended)} events appended` });

    const again = await runJob('re-ingest', START);
    if (again.appended !== 0 || again.result.unchanged !== items) throw new Error(`re-ingest appended ${again.appended} events, found ${again.result.unchanged} unchanged; expected 0 and ${items}`);
    rows.push({ step: 're-ingest (since the start)', items, seconds: again.seconds, note: `${again.result.pages} pages, ${again.appended} events appended` });

    // 3. The baseline: the same ActionProposed events appended bare, on the other database. The
    // jurisdictions they name are registered first, untimed, as the pipeline had them.
    {
      const { rows: events } = await sql<{ stream_id: string; type: string; data: unknown; metadata: Record<string, unknown> }>`
        SELECT stream_id, type, data, metadata FROM events ORDER BY position`.execute(pipelineDb);
      const store = new EventStore(appendDb, { inlineProjections: policyInlineProjections, notify: false });
      const byStream = (list: typeof events): StreamAppend[] => {
        const streams = new Map<string, StreamAppend>();
        for (const e of list) {
          const append = streams.get(e.stream_id) ?? { streamId: e.stream_id, events: [], expectedVersion: 'no_stream' as const };
          append.events.push({ type: e.type, data: e.data, metadata: e.metadata });
          streams.set(e.stream_id, append);
        }
        return [...streams.values()];
      };
      const jurisdictions = byStream(events.filter((e) => e.type !== 'ActionProposed'));
      for (let i = 0; i < jurisdictions.length; i += BATCH) await store.appendMany(jurisdictions.slice(i, i + BATCH));
      const proposals = byStream(events.filter((e) => e.type === 'ActionProposed'));
      const started = performance.now();
      for (let i = 0; i < proposals.length; i += BATCH) {
        await store.appendMany(proposals.slice(i, i + BATCH));
        progress(`bare appendMany: ${fmt(Math.min(i + BATCH, proposals.length))}/${fmt(proposals.length)}`);
      }
      const seconds = (performance.now() - started) / 1000;
      progress('');
      rows.push({ step: 'bare appendMany (baseline)', items: proposals.length, seconds, note: `batches of ${BATCH}, inline projections` });
    }

    const rate = (r: Row) => r.items / r.seconds;
    const find = (prefixText: string) => rows.find((r) => r.step.startsWith(prefixText))!;
    const [noop, ingest, reingest, bare] = [find('bullmq'), find('first'), find('re-ingest'), find('bare')];
    const order = [bare, ingest, reingest, noop];
    log(formatTable([['step', 'items', 's', 'items/s', ''], ...order.map((r) => [r.step, fmt(r.items), fmt(r.seconds, 2), fmt(rate(r)), r.note])], (i) => i === 0 || i === 4));
    const ratio = rate(ingest) / rate(bare);
    const speedUp = ingest.seconds / reingest.seconds;
    log(`first ingest / bare append: ${fmt(ratio, 2)} (target ≥ 0.5) ${ratio >= 0.5 ? 'met' : 'MISSED'}`);
    log(`re-ingest speed-up: ${fmt(speedUp, 1)}× (target ≥ 3×) ${speedUp >= 3 ? 'met' : 'MISSED'}; events appended by the re-ingest: ${reingest.note.match(/(\d+) events/)?.[1]}`);
    log(`queue cost: ${fmt((noop.seconds / noop.items) * 1000, 3)} ms a job; the pipeline runs one job for all ${fmt(items)} documents`);
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
