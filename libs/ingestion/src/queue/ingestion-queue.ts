import type { RunTrigger } from '../database';

/** Nest token of the queue; absent without REDIS_URL, where runs happen in-process. */
export const INGESTION_QUEUE = Symbol('INGESTION_QUEUE');

/** A run to do, as a job carries it: ids and dates, never secrets. */
export interface RunJob {
  sourceId: string;
  trigger: RunTrigger;
  since?: string;
}

/** A CourtListener delivery to store; its body is the payload as posted (docket entries, no secrets). */
export interface WebhookJob {
  sourceId: string;
  deliveryKey: string;
  body: unknown;
}

/** Where runs go when a queue is configured: the worker takes them from there. */
export interface IngestionQueue {
  /** Queues a run; a second request while one waits for the same source is the same job. */
  enqueueRun(job: RunJob): Promise<string>;
  enqueueWebhook(job: WebhookJob): Promise<string>;
  /** When each of these sources runs next, as its queue's job scheduler says (absent: not scheduled). */
  nextRuns(sourceIds: readonly string[]): Promise<Map<string, Date>>;
}
