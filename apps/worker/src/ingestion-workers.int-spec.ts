import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { RUN_JOB, ingestionDb, type RunJob } from '@app/ingestion';
import { ok, startReplayServer, type ReplayResponse, type ReplayRoute } from '../../../test/support/replay-server';
import { schedulerId, IngestionWorkers } from './ingestion-workers';
import { generateDocuments, startFederalRegisterServer } from './testing/federal-register-server';
import { deleteKeys, dropOwnConnections, TEST_REDIS_URL } from './testing/redis-keys';
import { eventually, WorkerTestContext } from './testing/worker-test-context';

const FIXTURES = join(__dirname, '../../../test/fixtures/sources/federal-register');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const TWO_ORDERS = fixture('documents-2017-01-executive-orders.json');
const NOTHING = fixture('documents-no-results.json');
const PATH = '/api/v1/documents.json';
/** The first window of a source whose windows are a year long from its start, 2017-01-20. */
const FIRST_WINDOW = { 'conditions[signing_date][gte]': '2017-01-20' };
const YEARLY = { windowDays: 366 };

/** The first window answers `first` (in turn), every later one has nothing. */
async function serveFirstWindow(ctx: WorkerTestContext, first: ReplayResponse[]) {
  const routes: ReplayRoute[] = [
    { path: PATH, query: FIRST_WINDOW, responses: first },
    { path: PATH, responses: [ok(NOTHING)] },
  ];
  const server = await startReplayServer(routes);
  ctx.onClose(() => server.close());
  return server;
}

describe('ingestion workers on real Redis and Postgres', () => {
  let ctx: WorkerTestContext;
  afterEach(() => ctx?.close());

  it('runs a queued job through the pipeline: each document proposed once; asked again it runs again, and a re-run appends nothing', async () => {
    ctx = await WorkerTestContext.create('run');
    const server = await serveFirstWindow(ctx, [ok(TWO_ORDERS)]);
    await ctx.addSource('federal-register:orders', { ...YEARLY, baseUrl: `${server.url}/api/v1` });
    await ctx.boot();

    const jobId = await ctx.producer.enqueueRun({ sourceId: 'federal-register:orders', trigger: 'manual' });
    const job = await ctx.finished('federal-register:orders', jobId);
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toMatchObject({ fetched: 2, proposed: 2, unchanged: 0, failed: 0 });
    const first = await ctx.proposals();
    expect(Object.fromEntries(first.eventsPerStream)).toEqual({ 'action-federal-register:2017-02095': 1, 'action-federal-register:2017-02102': 1 });
    expect(Object.fromEntries(first.statuses)).toEqual({ 'federal-register:2017-02095': 'proposed', 'federal-register:2017-02102': 'proposed' });

    // Asked again once the first is done: it runs again (from the cursor), and appends nothing.
    const again = await ctx.producer.enqueueRun({ sourceId: 'federal-register:orders', trigger: 'manual' });
    expect(again).not.toBe(jobId);
    expect((await ctx.finished('federal-register:orders', again)).returnvalue).toMatchObject({ proposed: 0, corrected: 0, failed: 0 });
    // And over everything again: both documents unchanged.
    const since = await ctx.producer.enqueueRun({ sourceId: 'federal-register:orders', trigger: 'manual', since: '2017-01-20' });
    const rerun = await ctx.finished('federal-register:orders', since);
    expect(rerun.returnvalue).toMatchObject({ fetched: 2, proposed: 0, corrected: 0, unchanged: 2 });
    expect((await ctx.proposals()).eventsPerStream).toEqual(first.eventsPerStream);
    expect((await ctx.runs('federal-register:orders')).map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('keeps one Job Scheduler per enabled source across boots, and follows sources added, disabled and changed while running', async () => {
    ctx = await WorkerTestContext.create('sched');
    await ctx.addSource('federal-register:daily', YEARLY, { schedule: '0 6 * * *' });
    const app = await ctx.boot({ syncEveryMs: 100 });
    const daily = ctx.queue('federal-register:daily');

    const scheduled = async () => (await daily.getJobSchedulers()).map((s) => ({ key: s.key, pattern: s.pattern, tz: s.tz, template: s.template?.data }));
    const expected = [{ key: schedulerId('federal-register:daily'), pattern: '0 6 * * *', tz: 'UTC', template: { sourceId: 'federal-register:daily', trigger: 'schedule' } }];
    expect(await scheduled()).toEqual(expected);
    expect(await daily.getJobCounts('delayed')).toEqual({ delayed: 1 });
    // The default sources: the enabled ones are scheduled, a disabled one is not.
    expect(await ctx.queue('federal-register').getJobSchedulers()).toHaveLength(1);
    expect(await ctx.queue('courtlistener').getJobSchedulers()).toHaveLength(0);

    // A second worker process booting upserts the same schedulers: nothing doubles.
    await ctx.stop(await ctx.boot());
    expect(await scheduled()).toEqual(expected);
    expect(await daily.getJobCounts('delayed')).toEqual({ delayed: 1 });

    // Added through the API while the worker runs: its queue gets a Worker and its schedule a scheduler.
    const server = await serveFirstWindow(ctx, [ok(TWO_ORDERS)]);
    await ctx.addSource('federal-register:added', { ...YEARLY, baseUrl: `${server.url}/api/v1` }, { schedule: '*/5 * * * *' });
    await eventually(async () => expect(await ctx.queue('federal-register:added').getJobSchedulers()).toHaveLength(1));
    const jobId = await ctx.producer.enqueueRun({ sourceId: 'federal-register:added', trigger: 'manual' });
    expect((await ctx.finished('federal-register:added', jobId)).returnvalue).toMatchObject({ proposed: 2 });

    await ctx.updateSource('federal-register:daily', { enabled: false });
    await eventually(async () => {
      expect(await daily.getJobSchedulers()).toEqual([]);
      expect(await daily.getJobCounts('delayed')).toEqual({ delayed: 0 });
    });

    await ctx.updateSource('federal-register:daily', { enabled: true, schedule: '30 7 * * 1-5' });
    await eventually(async () => expect(await scheduled()).toEqual([{ ...expected[0], pattern: '30 7 * * 1-5' }]));
    expect(app.get(IngestionWorkers).queueNames).toEqual(expect.arrayContaining(['ingest-webhooks', 'ingest-federal-register--daily', 'ingest-federal-register--added']));
  });

  it('fails a job at once when the source answers 404, and retries one that met a 500 until it succeeds', async () => {
    ctx = await WorkerTestContext.create('fail');
    const missing = await startReplayServer([]);
    ctx.onClose(() => missing.close());
    const flaky = await serveFirstWindow(ctx, [{ status: 500, body: { status: 500, message: 'Internal Server Error' } }, ok(TWO_ORDERS)]);
    await ctx.addSource('federal-register:gone', { ...YEARLY, baseUrl: `${missing.url}/api/v1` });
    await ctx.addSource('federal-register:flaky', { ...YEARLY, baseUrl: `${flaky.url}/api/v1` });
    await ctx.boot();

    // Three attempts each, a short backoff: a permanent failure must not use them.
    const opts = { attempts: 3, backoff: { type: 'fixed', delay: 100 } };
    await ctx.queue('federal-register:gone').add(RUN_JOB, { sourceId: 'federal-register:gone', trigger: 'manual' } satisfies RunJob, { ...opts, jobId: 'gone' });
    await ctx.queue('federal-register:flaky').add(RUN_JOB, { sourceId: 'federal-register:flaky', trigger: 'manual' } satisfies RunJob, { ...opts, jobId: 'flaky' });

    const gone = await ctx.finished('federal-register:gone', 'gone');
    expect(await gone.getState()).toBe('failed');
    expect(gone.failedReason).toMatch(/404/);
    expect(gone.attemptsStarted).toBe(1);
    expect(missing.requests).toHaveLength(1);
    expect((await ctx.runs('federal-register:gone')).map((r) => r.status)).toEqual(['failed']);

    const recovered = await ctx.finished('federal-register:flaky', 'flaky');
    expect(await recovered.getState()).toBe('completed');
    expect(recovered.attemptsStarted).toBe(2);
    expect(recovered.returnvalue).toMatchObject({ proposed: 2 });
    const runs = await ctx.runs('federal-register:flaky');
    expect(runs.map((r) => [r.status, r.proposed])).toEqual([['failed', 0], ['succeeded', 2]]);
    expect(runs[0].error).toMatch(/500/);
  });

  it('puts a run back while another holds its source, without spending an attempt, and runs it once the hold lapses', async () => {
    ctx = await WorkerTestContext.create('busy');
    const server = await serveFirstWindow(ctx, [ok(TWO_ORDERS)]);
    await ctx.addSource('federal-register:held', { ...YEARLY, baseUrl: `${server.url}/api/v1` });
    // A run of another process that died holding the source (its lease: 1 s more).
    const db = ingestionDb(ctx.t.db);
    const holder = await db.insertInto('ingestion_runs').values({ source_id: 'federal-register:held', trigger: 'cli' }).returning('id').executeTakeFirstOrThrow();
    await sql`UPDATE ingestion_sources SET lease_run_id = ${holder.id}, lease_until = now() + interval '1 second' WHERE id = 'federal-register:held'`.execute(ctx.t.db);
    await ctx.boot();

    await ctx.queue('federal-register:held').add(RUN_JOB, { sourceId: 'federal-register:held', trigger: 'manual' } satisfies RunJob, { jobId: 'held', attempts: 1 });
    const job = await ctx.finished('federal-register:held', 'held');
    // One attempt allowed, and it succeeded: the busy start did not use it.
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toMatchObject({ proposed: 2 });
    const runs = await ctx.runs('federal-register:held');
    expect(runs.map((r) => [r.id === holder.id ? 'holder' : 'worker', r.status, r.error])).toEqual([
      ['holder', 'failed', expect.stringMatching(/stopped without finishing/)],
      ['worker', 'succeeded', null],
    ]);
  });

  it('two workers on one queue never run a source twice at once', async () => {
    ctx = await WorkerTestContext.create('two');
    // 30 documents in pages of 5, each answer 100 ms late: a run lasts long enough to overlap another.
    const server = await startFederalRegisterServer(generateDocuments(30, { perDay: 30 }), { delayMs: 100 });
    ctx.onClose(() => server.close());
    await ctx.addSource('federal-register:shared', { ...YEARLY, perPage: 5, baseUrl: server.baseUrl });
    await ctx.boot();
    await ctx.boot();

    const data = (since?: string): RunJob => ({ sourceId: 'federal-register:shared', trigger: 'manual', ...(since ? { since } : {}) });
    await ctx.queue('federal-register:shared').addBulk([
      { name: RUN_JOB, data: data(), opts: { jobId: 'one' } },
      { name: RUN_JOB, data: data('2017-01-20'), opts: { jobId: 'two' } },
    ]);
    const results = [await ctx.finished('federal-register:shared', 'one'), await ctx.finished('federal-register:shared', 'two')];

    expect(await Promise.all(results.map((j) => j.getState()))).toEqual(['completed', 'completed']);
    expect(results.map((j) => j.returnvalue.proposed).sort()).toEqual([0, 30]);
    // Had the queue let both start at once, the second would have found the source held: its
    // run row deleted (a gap in the ids) and its job put back (a second attempt).
    const runs = await ctx.runs('federal-register:shared');
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(runs[1].id).toBe(runs[0].id + 1);
    expect(results.map((j) => j.attemptsStarted)).toEqual([1, 1]);
    expect(runs[1].started_at.getTime()).toBeGreaterThanOrEqual(runs[0].finished_at!.getTime());
    const { eventsPerStream } = await ctx.proposals();
    expect(eventsPerStream.size).toBe(30);
    expect([...eventsPerStream.values()].every((n) => n === 1)).toBe(true);
  });

  it('applies every schedule and queue limit again when Redis comes back without them, without a restart', async () => {
    ctx = await WorkerTestContext.create('lost');
    const server = await serveFirstWindow(ctx, [ok(TWO_ORDERS)]);
    await ctx.addSource('federal-register:kept', { ...YEARLY, baseUrl: `${server.url}/api/v1` }, { schedule: '0 6 * * *' });
    // Sources are read again only every minute: what comes back in time comes back on reconnecting.
    await ctx.boot();
    const kept = ctx.queue('federal-register:kept');
    expect(await kept.getJobSchedulers()).toHaveLength(1);
    expect(await kept.getGlobalConcurrency()).toBe(1);

    // A Redis restarted without persistence, as this worker sees it, on the shared Redis and
    // without touching anyone else's keys or connections: its keys gone, its connections dropped.
    await deleteKeys(TEST_REDIS_URL, ctx.prefix);
    expect(await kept.getJobSchedulers()).toHaveLength(0);
    expect(await dropOwnConnections(TEST_REDIS_URL)).toBeGreaterThan(0);

    await eventually(async () => {
      expect(await kept.getJobSchedulers()).toHaveLength(1);
      expect(await kept.getGlobalConcurrency()).toBe(1);
      expect(await ctx.queue('federal-register').getJobSchedulers()).toHaveLength(1);
    });
    // And the queue is consumed as before.
    const jobId = await ctx.producer.enqueueRun({ sourceId: 'federal-register:kept', trigger: 'manual' });
    expect((await ctx.finished('federal-register:kept', jobId)).returnvalue).toMatchObject({ proposed: 2 });
  });
});
