import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { getSharedConfigToken } from '@nestjs/bullmq';
import { DelayedError, UnrecoverableError, Worker, type Job, type QueueOptions, type WorkerOptions } from 'bullmq';
import { EventStore } from '@app/event-store';
import {
  BullmqIngestionQueue,
  INGESTION_QUEUE,
  INGESTION_SETTINGS,
  JOB_DEFAULTS,
  RUN_JOB,
  SourceRunner,
  WEBHOOK_JOB,
  WEBHOOK_QUEUE,
  ingestionDb,
  loadPlaceDirectory,
  sourceQueueName,
  storeDelivery,
  forgetDelivery,
  type IngestionQueue,
  type IngestionSettings,
  type RunJob,
  type StoredRun,
  type WebhookJob,
} from '@app/ingestion';
import { failureKind } from './job-failures';

export const INGESTION_WORKER_OPTIONS = Symbol('INGESTION_WORKER_OPTIONS');

export interface IngestionWorkerOptions {
  /** How often the sources are read again, so one added, changed or disabled through the API is followed. */
  syncEveryMs: number;
  /** BullMQ's lock on an active job (see WORKER_JOB_LOCK_MS). */
  jobLockMs: number;
  /** How long closing waits for active jobs (see WORKER_SHUTDOWN_MS). */
  shutdownMs: number;
  /**
   * How long a run whose source another run holds waits before trying again: the lease, by
   * the end of which the holder has renewed it (still busy) or let it lapse (crashed).
   */
  busyRetryMs: number;
}

/** A run's counts as its job's return value (what bull-board shows). */
export type RunResult = Pick<StoredRun, 'pages' | 'fetched' | 'proposed' | 'corrected' | 'suggested' | 'unchanged' | 'parked' | 'failed'> & { runId: number };

/** Thrown between pages when the worker is closing: the run stops there and its job goes back to the queue. */
class WorkerClosing extends Error {
  constructor() {
    super('the worker is shutting down; the run resumes from its cursor');
    this.name = 'WorkerClosing';
  }
}

/** The Job Scheduler of a source's runs: one per source, so upserting it again replaces it. */
export const schedulerId = (sourceId: string) => `schedule-${sourceId.replace(/:/g, '--')}`;

/**
 * The consumer side of ingestion: a BullMQ Worker per source queue (found in ingestion_sources,
 * read again every `syncEveryMs`) running `run` jobs through the SourceRunner, and one on the
 * webhook queue storing CourtListener deliveries. Each source's Job Scheduler follows its
 * `enabled` and `schedule`. A queue's global concurrency is 1, so two worker processes never run
 * one source at once; the source's lease in Postgres is the second guard.
 */
@Injectable()
export class IngestionWorkers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('IngestionWorkers');
  private readonly producer: BullmqIngestionQueue;
  /** By queue name. */
  private readonly workers = new Map<string, Worker>();
  /** By source id: the schedule last applied (null: none), so an unchanged source costs no Redis call. */
  private readonly applied = new Map<string, string | null>();
  /** Queues whose global concurrency of 1 is set. */
  private readonly limited = new Set<string>();
  private timer?: NodeJS.Timeout;
  private syncing?: Promise<void>;
  /** A sync was asked for while one was under way: run another after it. */
  private syncAgain = false;
  private closing?: Promise<void>;

  constructor(
    private readonly store: EventStore,
    private readonly runner: SourceRunner,
    @Inject(INGESTION_SETTINGS) private readonly settings: IngestionSettings,
    @Inject(INGESTION_QUEUE) queue: IngestionQueue,
    @Inject(getSharedConfigToken()) private readonly bull: QueueOptions,
    @Inject(INGESTION_WORKER_OPTIONS) private readonly options: IngestionWorkerOptions,
  ) {
    if (!(queue instanceof BullmqIngestionQueue)) throw new TypeError('the ingestion workers need the BullMQ queue (REDIS_URL)');
    this.producer = queue;
  }

  async onApplicationBootstrap(): Promise<void> {
    // Built on first use otherwise, inside a run's first page: over a second of work that
    // blocks the process, during which BullMQ cannot renew the job's lock.
    loadPlaceDirectory();
    this.startWorker(WEBHOOK_QUEUE, (job) => this.processWebhook(job as Job<WebhookJob>));
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.options.syncEveryMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }

  /** The queues this process consumes, by name. */
  get queueNames(): string[] {
    return [...this.workers.keys()];
  }

  /**
   * Follows ingestion_sources: a Worker for each source's queue, and its Job Scheduler upserted
   * (enabled) or removed (disabled). The first sync of a process applies every schedule: an
   * upsert of an unchanged scheduler changes nothing, so every boot may do it.
   */
  sync(): Promise<void> {
    // One sync at a time: the timer's and a caller's would otherwise apply the same change twice.
    // One asked for meanwhile runs after it: what it was asked for may be past that one's reading.
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.syncAgain = false;
        await this.syncOnce();
      } while (this.syncAgain && !this.closing);
    })().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /**
   * A connection to Redis closed. Redis may be back empty (restarted without persistence, or
   * failed over to a replica that had not caught up): the sources' Job Schedulers and their
   * queues' global concurrency would be gone, and since they are applied only when they
   * change, nothing would put them back until this process restarts: no scheduled run again.
   * So everything is applied again (an upsert of an unchanged scheduler changes nothing); the
   * commands wait for the reconnection in the client's offline queue.
   */
  private redisLost(): void {
    if (this.closing) return;
    this.applied.clear();
    this.limited.clear();
    void this.sync();
  }

  private async syncOnce(): Promise<void> {
    let sources: { id: string; enabled: boolean; schedule: string }[];
    try {
      sources = await ingestionDb(this.store.db).selectFrom('ingestion_sources').select(['id', 'enabled', 'schedule']).orderBy('id').execute();
    } catch (err) {
      this.logger.error(`cannot read the sources: ${message(err)}`);
      return;
    }
    for (const source of sources) {
      if (this.closing) return;
      const name = sourceQueueName(source.id);
      try {
        if (!this.limited.has(name)) {
          // Before its Worker takes a job: no two workers anywhere run this source at once.
          await this.producer.queue(name).setGlobalConcurrency(1);
          this.limited.add(name);
        }
        if (!this.workers.has(name)) this.startWorker(name, (job, token) => this.processRun(job as Job<RunJob>, token));
        const wanted = source.enabled ? source.schedule : null;
        if (this.applied.has(source.id) && this.applied.get(source.id) === wanted) continue;
        const queue = this.producer.queue(name);
        if (wanted === null) {
          await queue.removeJobScheduler(schedulerId(source.id));
        } else {
          const data: RunJob = { sourceId: source.id, trigger: 'schedule' };
          await queue.upsertJobScheduler(schedulerId(source.id), { pattern: wanted, tz: 'UTC' }, { name: RUN_JOB, data, opts: JOB_DEFAULTS });
        }
        this.applied.set(source.id, wanted);
      } catch (err) {
        // One bad source (a schedule Redis refuses) must not keep the others from running.
        this.logger.error(`source ${source.id}: cannot follow its schedule: ${message(err)}`);
      }
    }
  }

  private startWorker(name: string, processor: (job: Job, token?: string) => Promise<unknown>): void {
    const options: WorkerOptions = {
      connection: this.bull.connection,
      prefix: this.bull.prefix,
      name: `${hostname()}:${process.pid}`,
      concurrency: 1,
      lockDuration: this.options.jobLockMs,
      // A job whose worker died is found at the next check after its lock lapsed.
      stalledInterval: this.options.jobLockMs,
    };
    const worker = new Worker(name, processor, options);
    worker.on('failed', (job, err) => {
      if (err instanceof DelayedError || err.name === 'DelayedError') return;
      this.logger.warn(`${name}: job ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`);
    });
    // Without a listener an 'error' (Redis gone for a moment) would end the process.
    worker.on('error', (err) => this.logger.error(`${name}: ${err.message}`));
    // Not emitted while the worker closes.
    worker.on('ioredis:close', () => this.redisLost());
    this.workers.set(name, worker);
  }

  private async processRun(job: Job<RunJob>, token?: string): Promise<RunResult> {
    if (job.name !== RUN_JOB) throw new UnrecoverableError(`no processor for job ${job.name} on ${job.queueName}`);
    const { sourceId, trigger, since } = job.data;
    try {
      const run = await this.runner.run(sourceId, {
        trigger,
        since,
        onPage: () => {
          if (this.closing) throw new WorkerClosing();
        },
      });
      const { id, pages, fetched, proposed, corrected, suggested, unchanged, parked, failed } = run;
      this.logger.log(
        `${sourceId}: run ${id} (${trigger}) ${pages} pages, ${fetched} fetched, ${proposed} proposed, ${corrected} corrected, ` +
          `${suggested} suggested, ${unchanged} unchanged, ${parked} parked, ${failed} refused in ${run.durationMs} ms`,
      );
      return { runId: id, pages, fetched, proposed, corrected, suggested, unchanged, parked, failed };
    } catch (err) {
      if (err instanceof WorkerClosing) return this.putBack(job, token, 0);
      const kind = failureKind(err);
      if (kind === 'later') return this.putBack(job, token, this.options.busyRetryMs);
      if (kind === 'permanent') throw new UnrecoverableError(message(err));
      throw err;
    }
  }

  /** Back to the queue without spending an attempt (BullMQ's moveToDelayed pattern). */
  private async putBack(job: Job, token: string | undefined, delayMs: number): Promise<never> {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  private async processWebhook(job: Job<WebhookJob>): Promise<void> {
    if (job.name !== WEBHOOK_JOB) throw new UnrecoverableError(`no processor for job ${job.name} on ${job.queueName}`);
    try {
      await storeDelivery(this.store, this.runner, this.settings, job.data.body);
    } catch (err) {
      const permanent = failureKind(err) === 'permanent';
      // Given up on: CourtListener's own retry of the delivery must be taken, not dropped as seen.
      if (permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await forgetDelivery(this.store, job.data.deliveryKey);
      if (permanent) throw new UnrecoverableError(message(err));
      throw err;
    }
  }

  /**
   * Stops taking jobs and waits for the active ones, at most `shutdownMs`: a run stops after the
   * page it is storing and its job goes back to the queue. Past the deadline the connections are
   * dropped: the job's lock lapses and another worker takes it up, resuming from the cursor.
   */
  close(): Promise<void> {
    this.closing ??= this.closeWorkers();
    return this.closing;
  }

  private async closeWorkers(): Promise<void> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.options.shutdownMs)));
    // A sync may be waiting for Redis to come back (see redisLost): the deadline holds for it too.
    await Promise.race([this.syncing, late]);
    const workers = [...this.workers.values()];
    const outcome = await Promise.race([Promise.all(workers.map((w) => w.close())).then(() => 'closed' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.logger.warn(`jobs still active after ${this.options.shutdownMs} ms: leaving them to another worker`);
      await Promise.all(workers.map((w) => w.disconnect().catch(() => undefined)));
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
