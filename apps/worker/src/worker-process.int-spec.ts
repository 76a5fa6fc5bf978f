import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { compiledApps, ROOT } from '../../../test/support/compiled-apps';
import { generateDocuments, startFederalRegisterServer } from './testing/federal-register-server';
import { eventually, WorkerTestContext } from './testing/worker-test-context';

// The worker as it runs in production: compiled, a process of its own, stopped by signals.

interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('the worker process', () => {
  const compiled = compiledApps('worker');
  let ctx: WorkerTestContext | undefined;
  const children: WorkerProcess[] = [];

  beforeAll(() => compiled.compile(), 60_000);
  afterEach(async () => {
    for (const w of children.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
    await ctx?.close();
  });
  afterAll(() => compiled.remove());

  function startWorker(env: Record<string, string>): WorkerProcess {
    const child = spawn(process.execPath, [join(compiled.outDir, 'apps/worker/src/main.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const worker = { child, output: () => output, exited };
    children.push(worker);
    return worker;
  }

  async function ready(worker: WorkerProcess): Promise<void> {
    await eventually(async () => {
      if (worker.child.exitCode !== null) throw new Error(`the worker exited:\n${worker.output()}`);
      if (!worker.output().includes('ingestion queues')) throw new Error(`the worker did not start:\n${worker.output()}`);
    }, 20_000);
  }

  it('refuses to start without DATABASE_URL, saying so', async () => {
    const worker = startWorker({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(await worker.exited).toEqual({ code: 1, signal: null });
    expect(worker.output()).toMatch(/The worker needs DATABASE_URL/);
  });

  it('killed mid-run and started again, then stopped mid-run by SIGTERM and started again: every document proposed exactly once', async () => {
    ctx = await WorkerTestContext.create('kill');
    const documents = generateDocuments(80, { perDay: 80 });
    // Pages of 5, each answered 100 ms late (and the source's own rate limit between requests).
    const server = await startFederalRegisterServer(documents, { delayMs: 100 });
    ctx.onClose(() => server.close());
    const sourceId = 'federal-register:slow';
    await ctx.addSource(sourceId, { windowDays: 366, perPage: 5, baseUrl: server.baseUrl });
    // A killed worker's job and source are taken up again 2 s after its last renewal.
    const env = ctx.env({ WORKER_JOB_LOCK_MS: '2000', INGESTION_LEASE_MS: '2000', LOG_LEVEL: 'info' });
    const storedPage = async () => {
      const { rows } = await sql<{ cursor: { page?: number; signedThrough?: string } | null }>`SELECT cursor FROM ingestion_sources WHERE id = ${sourceId}`.execute(ctx!.t.db);
      return rows[0].cursor;
    };
    const proposed = async () => (await ctx!.proposals()).eventsPerStream.size;

    const first = startWorker(env);
    await ready(first);
    const jobId = await ctx.producer.enqueueRun({ sourceId, trigger: 'manual' });
    await eventually(async () => expect((await storedPage())?.page).toBeGreaterThanOrEqual(3), 20_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const afterKill = await proposed();
    expect(afterKill).toBeGreaterThanOrEqual(15);
    expect(afterKill).toBeLessThan(80);

    const second = startWorker(env);
    await ready(second);
    // The job comes back once its lock lapses; it resumes after the last stored page.
    await eventually(async () => expect((await storedPage())?.page).toBeGreaterThanOrEqual(afterKill / 5 + 3), 20_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    const afterStop = await proposed();
    expect(afterStop).toBeLessThan(80);
    expect(await (await ctx.queue(sourceId).getJob(jobId))?.getState()).toMatch(/^(delayed|waiting)$/);

    const third = startWorker(env);
    await ready(third);
    const job = await ctx.finished(sourceId, jobId, 30_000);
    expect(await job.getState()).toBe('completed');

    const { eventsPerStream, statuses } = await ctx.proposals();
    expect(eventsPerStream.size).toBe(80);
    expect([...eventsPerStream.values()].every((n) => n === 1)).toBe(true);
    expect([...statuses.values()].every((s) => s === 'proposed')).toBe(true);
    expect(await storedPage()).toEqual({ signedThrough: new Date().toISOString().slice(0, 10) });

    const runs = await ctx.runs(sourceId);
    // A run that found the source still held before the lease lapsed is put back and leaves a failed run of no pages.
    const worked = runs.filter((r) => r.pages > 0);
    expect(worked.map((r) => [r.status, r.error])).toEqual([
      ['failed', expect.stringMatching(/stopped without finishing/)],
      ['failed', expect.stringMatching(/shutting down/)],
      ['succeeded', null],
    ]);
    expect(worked.map((r) => r.proposed)).toEqual([afterKill, afterStop - afterKill, 80 - afterStop]);
    expect(runs.filter((r) => r.pages === 0).every((r) => r.status === 'failed' && /in progress/.test(r.error ?? ''))).toBe(true);
    expect(third.output()).toMatch(new RegExp(`${sourceId}: run ${worked[2].id} \\(manual\\) \\d+ pages, \\d+ fetched, ${80 - afterStop} proposed`));

    third.child.kill('SIGTERM');
    expect(await third.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
