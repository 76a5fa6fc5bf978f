import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Provider } from '@nestjs/common';
import { INGESTION_QUEUE, type IngestionQueue, type RunJob, type WebhookJob } from './ingestion-queue';

/** BullMQ's names may not hold ':' (its key separator): 'feed:nyc-mayor' → 'ingest-feed--nyc-mayor'. */
export const sourceQueueName = (sourceId: string) => `ingest-${sourceId.replace(/:/g, '--')}`;
export const WEBHOOK_QUEUE = 'ingest-webhooks';
/** The job name of a run, and of the schedulers' jobs. */
export const RUN_JOB = 'run';
export const WEBHOOK_JOB = 'webhook';

/**
 * What every ingestion job carries: a few attempts with exponential backoff (a source down for a
 * minute is retried, not lost), and bounded history so Redis does not grow without end.
 */
export const JOB_DEFAULTS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: { count: 200, age: 7 * 24 * 3600 },
  removeOnFail: { count: 500, age: 30 * 24 * 3600 },
};

/** Job ids may not hold ':' either. */
const jobIdPart = (text: string) => text.replace(/:/g, '--');

/**
 * The producer side: one queue per source (so each source's global concurrency is its own, and
 * one slow source holds up no other) and one for webhook deliveries. Asking twice for a run of a
 * source while one waits adds nothing, and a delivery is queued once (its id is the delivery's).
 */
export class BullmqIngestionQueue implements IngestionQueue {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: ConnectionOptions,
    /** Names queues apart per deployment or test (BullMQ's key prefix). */
    private readonly prefix = 'bull',
  ) {}

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions: JOB_DEFAULTS });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * A request like one still waiting or running is that job (BullMQ's deduplication lasts until
   * the job finishes); once it is done, asking again runs again.
   */
  async enqueueRun(job: RunJob): Promise<string> {
    const id = `${job.trigger}-${jobIdPart(job.sourceId)}${job.since ? `-since-${job.since}` : ''}`;
    const added = await this.queue(sourceQueueName(job.sourceId)).add(RUN_JOB, job, { deduplication: { id } });
    return added.id!;
  }

  async enqueueWebhook(job: WebhookJob): Promise<string> {
    const jobId = `delivery-${jobIdPart(job.deliveryKey)}`;
    await this.queue(WEBHOOK_QUEUE).add(WEBHOOK_JOB, job, { jobId });
    return jobId;
  }

  async nextRuns(sourceIds: readonly string[]): Promise<Map<string, Date>> {
    const next = new Map<string, Date>();
    await Promise.all(
      sourceIds.map(async (sourceId) => {
        for (const scheduler of await this.queue(sourceQueueName(sourceId)).getJobSchedulers()) {
          if (scheduler.next) next.set(sourceId, new Date(scheduler.next));
        }
      }),
    );
    return next;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}

/** Redis connection options from a redis:// URL, as BullMQ wants them (no retry limit on blocking commands). */
export function redisConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/** The Nest provider of the queue for a Redis URL; closed with the app. */
export function ingestionQueueProvider(redisUrl: string, prefix?: string): Provider {
  return {
    provide: INGESTION_QUEUE,
    useFactory: () => {
      const queue = new BullmqIngestionQueue(redisConnection(redisUrl), prefix);
      return Object.assign(queue, { onApplicationShutdown: () => queue.close() });
    },
  };
}
