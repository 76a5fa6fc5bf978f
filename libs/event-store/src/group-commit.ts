import type { AppendResult, NewEvent, StreamAppend } from './types';

interface Pending extends StreamAppend {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type AppendMany = (appends: readonly StreamAppend[]) => Promise<AppendResult>;

/**
 * Group commit for one-stream appends that expect an exact version. With inline projections
 * an append is a transaction of several statements (lock, insert, read models); N concurrent
 * writers would pay that N times. Here the appends that arrive while `inFlight` transactions
 * are running wait and go together in the next one (one appendMany: one transaction, one round
 * of set-based projection statements), so they cost about one. An append that arrives when
 * there is room goes at once: no added latency when the store is quiet.
 *
 * Each append keeps its own expectation, and appends to one stream commit in the order they
 * were made (a stream with an append in flight waits for it). A batch is all or nothing, so
 * when one fails (a version conflict, an inline projection's error) its appends are made
 * again, one after another, and each caller gets its own answer. Only exact expectations are
 * batched: retried after a failure that hid a commit (a connection lost at COMMIT), such an
 * append meets its own write as a version conflict, never appends twice.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private running = 0;
  /** Streams with an append in a transaction now. */
  private readonly busy = new Set<string>();

  constructor(
    private readonly appendMany: AppendMany,
    private readonly options: { inFlight: number; maxBatch: number },
  ) {}

  append(streamId: string, events: NewEvent[], expectedVersion: number): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events, expectedVersion, resolve, reject });
      if (this.running < this.options.inFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running++;
    try {
      for (let batch = this.nextBatch(); batch.length; batch = this.nextBatch()) {
        for (const p of batch) this.busy.add(p.streamId);
        try {
          await this.commit(batch);
        } catch (err) {
          // Not the store's refusal (commit answers those): settle everyone left waiting.
          for (const p of batch) p.reject(err);
        } finally {
          for (const p of batch) this.busy.delete(p.streamId);
        }
      }
    } finally {
      // An append left queued because its stream was busy is taken by the drain that had it
      // busy: that one looks for a batch again after releasing it.
      this.running--;
    }
  }

  /** The oldest appends, at most one per stream and none to a stream in flight. */
  private nextBatch(): Pending[] {
    const batch: Pending[] = [];
    const streams = new Set<string>();
    const rest: Pending[] = [];
    for (const p of this.queue) {
      if (batch.length < this.options.maxBatch && !streams.has(p.streamId) && !this.busy.has(p.streamId)) batch.push(p);
      else rest.push(p);
      streams.add(p.streamId);
    }
    this.queue = rest;
    return batch;
  }

  private async commit(batch: Pending[]): Promise<void> {
    let result: AppendResult;
    try {
      result = await this.appendMany(batch);
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      for (const p of batch) await this.appendMany([p]).then(p.resolve, p.reject);
      return;
    }
    // Positions and stored events come in the order the appends were given.
    let offset = 0;
    batch.forEach((p, i) => {
      const n = p.events.length;
      const positions = result.positions.slice(offset, offset + n);
      p.resolve({
        streams: [result.streams[i]],
        version: result.streams[i].version,
        positions,
        lastPosition: Math.max(...positions),
        replayed: false,
        events: result.events.slice(offset, offset + n),
      });
      offset += n;
    });
  }
}
