import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { sql } from 'kysely';
import { Queue, type Job } from 'bullmq';
import { parseConfig } from '@app/config';
import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { BullmqIngestionQueue, ingestionDb, redisConnection, sourceQueueName } from '@app/ingestion';
import { WorkerModule } from '../worker.module';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './redis-keys';

/** Nothing listens there: a default source that ran by mistake fails at once instead of reaching the network. */
const NOWHERE = 'http://127.0.0.1:9/api';

/**
 * One test's world: a database of its own, a BullMQ prefix of its own, worker apps booted on
 * both, and everything closed and removed (Redis keys included) by `close`.
 */
export class WorkerTestContext {
  readonly producer: BullmqIngestionQueue;
  private readonly apps: INestApplicationContext[] = [];
  private readonly closers: (() => Promise<unknown>)[] = [];

  private constructor(
    readonly t: TestDatabase<any>,
    readonly prefix: string,
  ) {
    this.producer = new BullmqIngestionQueue(redisConnection(TEST_REDIS_URL), prefix);
  }

  static async create(tag: string): Promise<WorkerTestContext> {
    return new WorkerTestContext(await createTestDatabase(), uniquePrefix(tag));
  }

  /** The environment a worker of this test runs with (also given to child processes). */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.t.url,
      REDIS_URL: TEST_REDIS_URL,
      BULLMQ_PREFIX: this.prefix,
      FEDERAL_REGISTER_BASE_URL: NOWHERE,
      DOJ_BASE_URL: NOWHERE,
      COURTLISTENER_BASE_URL: NOWHERE,
      LEGISTAR_BASE_URL: NOWHERE,
      PROJECTION_POLL_MS: '10000',
      // Long enough that a busy test machine never loses a job's lock by accident (the kill test shortens it).
      WORKER_JOB_LOCK_MS: '15000',
      INGESTION_LEASE_MS: '2000',
      WORKER_SHUTDOWN_MS: '5000',
      LOG_LEVEL: 'silent',
      ...extra,
    };
  }

  /** Boots a worker in this process, as a second worker process would be; its HTTP client does not wait. */
  async boot(options: { syncEveryMs?: number } = {}): Promise<INestApplicationContext> {
    const app = await NestFactory.createApplicationContext(
      WorkerModule.forRoot({
        config: parseConfig(this.env()),
        db: this.t.db,
        databaseUrl: this.t.url,
        ingestion: { http: { sleep: async () => undefined, minIntervalMs: 0, maxRetries: 0 } },
        syncEveryMs: options.syncEveryMs,
      }),
      { logger: false },
    );
    await app.init();
    this.apps.push(app);
    return app;
  }

  /** Closes one booted app early (the others are closed by `close`). */
  async stop(app: INestApplicationContext): Promise<void> {
    this.apps.splice(this.apps.indexOf(app), 1);
    await app.close();
  }

  /** Runs at close, before the database is dropped (servers, child processes). */
  onClose(closer: () => Promise<unknown>): void {
    this.closers.push(closer);
  }

  queue(sourceId: string): Queue {
    return this.producer.queue(sourceQueueName(sourceId));
  }

  async addSource(id: string, config: Record<string, unknown>, options: { enabled?: boolean; schedule?: string } = {}): Promise<void> {
    await ingestionDb(this.t.db)
      .insertInto('ingestion_sources')
      .values({ id, type: 'federal-register', name: id, config: JSON.stringify(config), enabled: options.enabled ?? true, schedule: options.schedule ?? '0 6 * * *' })
      .execute();
  }

  async updateSource(id: string, changes: { enabled?: boolean; schedule?: string }): Promise<void> {
    await ingestionDb(this.t.db).updateTable('ingestion_sources').set(changes).where('id', '=', id).execute();
  }

  /** The job once it has completed or failed for good (a retry waiting is neither). */
  async finished(sourceId: string, jobId: string, timeoutMs = 15_000): Promise<Job> {
    const queue = this.queue(sourceId);
    return eventually(async () => {
      // The state first, then the job: read the other way round, a job that completes in
      // between comes back with the return value it had while active (none).
      const state = await queue.getJobState(jobId);
      if (state !== 'completed' && state !== 'failed') throw new Error(`job ${jobId} is ${state}`);
      return (await queue.getJob(jobId))!;
    }, timeoutMs);
  }

  /** Events per action stream of the source system, and the actions' statuses. */
  async proposals(): Promise<{ eventsPerStream: Map<string, number>; statuses: Map<string, string> }> {
    const { rows } = await sql<{ stream_id: string; n: number }>`
      SELECT stream_id, count(*)::int AS n FROM events WHERE stream_id LIKE 'action-federal-register:%' GROUP BY stream_id`.execute(this.t.db);
    const actions = await sql<{ id: string; status: string }>`SELECT id, status FROM actions WHERE id LIKE 'federal-register:%'`.execute(this.t.db);
    return {
      eventsPerStream: new Map(rows.map((r) => [r.stream_id, r.n])),
      statuses: new Map(actions.rows.map((r) => [r.id, r.status])),
    };
  }

  async runs(sourceId: string) {
    return ingestionDb(this.t.db).selectFrom('ingestion_runs').selectAll().where('source_id', '=', sourceId).orderBy('id').execute();
  }

  async close(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (fn: () => Promise<unknown>) => fn().catch((err: unknown) => errors.push(err));
    for (const app of this.apps.splice(0)) await attempt(() => app.close());
    for (const closer of this.closers.splice(0)) await attempt(closer);
    await attempt(() => this.producer.close());
    await attempt(() => deleteKeys(TEST_REDIS_URL, this.prefix));
    await attempt(() => this.t.drop());
    if (errors.length > 0) throw errors[0];
  }
}

/** Retries `probe` until it returns without throwing; its last error after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}
