import type { Transaction } from 'kysely';
import type { StoredEvent } from './types';

/**
 * An asynchronous read model. The runner hands it batches of the event types it names, in
 * commit order, inside the transaction that also stores its checkpoint: what it writes and
 * where it got to commit together (exactly-once effect).
 */
export interface Projection {
  name: string;
  eventTypes: readonly string[];
  /**
   * Read tables it owns, in the public schema. A rebuild fills copies of them beside the
   * live ones (CREATE TABLE … LIKE … INCLUDING ALL) and swaps them in, so they must not use
   * serial columns (use identity) or foreign keys.
   */
  tables?: readonly string[];
  handle(trx: Transaction<any>, events: StoredEvent[]): Promise<void>;
}

export interface ProjectionStatus {
  name: string;
  state: 'running' | 'idle' | 'failed' | 'stopped';
  /** Global position of the last event applied (or skipped past). */
  position: number;
  eventsApplied: number;
  /** 0 when caught up (in commit order); else how far behind by position (an upper bound). */
  lag: number;
  updatedAt: Date;
  lastError: ProjectionError | null;
}

export interface ProjectionError {
  message: string;
  eventPosition: number;
  eventType: string;
  streamId: string;
  at: string;
}
