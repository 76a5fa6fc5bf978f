import type { AppendResult, ExpectedVersion, NewEvent, StreamAppend } from './types';

interface Pending extends StreamAppend {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type AppendMany = (appends: readonly StreamAppend[]) => Promise<AppendResult>;

/**
 * Group commit for one-stream appends. With inline projections an append is a transaction of
 * several statements (lock, insert, read models); N concurrent writers would pay that N
 * times. Here the appends that arrive while `inFlight` transactions are running wait and go
 * together in the next one (one appendMany: one transaction, one round of set-based
 * projection statements), so they cost about one. An append that arrives when there is room
 * goes at once: no added latency when the store is quiet.
 *
 * Each append keeps its own expectation. A batch is all or nothing, so when one fails (a
 * version conflict, an inline projection's error) its appends are made again one by one and
 * each caller gets its own answer; the others' appends still happen.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private running = 0;

  constructor(
    private readonly appendMany: AppendMany,
    private readonly options: { inFlight: number; maxBatch: number },
  ) {}

  append(streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events, expectedVersion, resolve, reject });
      if (this.running < this.options.inFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running++;
    try {
      while (this.queue.length) await this.commit(this.nextBatch());
    } finally {
      this.running--;
    }
  }

  /** The oldest appends, at most one per stream (an appendMany names each stream once). */
  private nextBatch(): Pending[] {
    const batch: Pending[] = [];
    const streams = new Set<string>();
    const rest: Pending[] = [];
    for (const p of this.queue) {
      if (batch.length < this.options.maxBatch && !streams.has(p.streamId)) {
        batch.push(p);
        streams.add(p.streamId);
      } else rest.push(p);
    }
    this.queue = rest;
    return batch;
  }

  private async commit(batch: Pending[]): Promise<void> {
    let result: AppendResult;
    try {
      result = await this.appendMany(batch);
    } catch (err) {
      if (batch.length === 1) batch[0].reject(err);
      else await Promise.all(batch.map((p) => this.appendMany([p]).then(p.resolve, p.reject)));
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
