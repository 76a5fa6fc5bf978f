import { sql, type Transaction } from 'kysely';
import { PREPARE } from '@app/db/connection';
import type { CommitPoint } from './checkpoint';
import type { EventStoreTables, StoredEvent } from './types';

/**
 * A read model built from events, inline or asynchronous. Inline (the store's
 * `inlineProjections`): handed the events of each append inside the append's own
 * transaction, so it is consistent when append returns. Asynchronous (a ProjectionRunner's):
 * handed batches of the event types it names, in commit order, inside the transaction that
 * also stores its checkpoint: what it writes and where it got to commit together
 * (exactly-once effect). Either way the transaction is typed for the store's tables; a
 * projection widens it to its own (`trx.withTables<MyTables>()`).
 */
export interface Projection {
  name: string;
  /** The event types it is handed; 'all' for every event (the ledger's seal). */
  eventTypes: readonly string[] | 'all';
  /**
   * What it is handed of each event: its content, upcast ('content', the default), or instead
   * of its data and metadata (then null) the leaf the ledger's seal hashes, computed by the
   * database where the event is ('leaves': the seal).
   */
  reads?: 'content' | 'leaves';
  /** Events per batch, when not the runner's (the seal takes larger ones: one row and signature each). */
  batchSize?: number;
  /**
   * For a projection that gains from few large batches more than from being seconds fresh (the
   * seal: one row and one signature per batch): after each batch it applied, its runner lets
   * appends gather this long (ms) before the next, unless someone waits for it.
   */
  gatherMs?: number;
  /**
   * Read tables it owns, in the public schema. A rebuild fills copies of them beside the
   * live ones (CREATE TABLE … LIKE … INCLUDING ALL) and swaps them in, so they must not use
   * serial columns (use identity) or foreign keys.
   */
  tables?: readonly string[];
  handle(trx: Transaction<EventStoreTables>, events: StoredEvent[]): Promise<void>;
}

/** The read filter for a projection's types (undefined: every type). */
export function typesOf(projection: Projection): readonly string[] | undefined {
  return projection.eventTypes === 'all' ? undefined : projection.eventTypes;
}

/** readAfter's options for what a projection reads of each event. */
export function readsOf(projection: Projection): { content: boolean; leaves: boolean } {
  return projection.reads === 'leaves' ? { content: false, leaves: true } : { content: true, leaves: false };
}

export function handles(projection: Projection, type: string): boolean {
  return projection.eventTypes === 'all' || projection.eventTypes.includes(type);
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

/**
 * Records where a projection got to, in the transaction that applied its events (runner
 * batches and rebuild swaps alike), and clears its error. `add` counts the events on top of
 * those applied before (a runner batch); `replace` starts the count anew (a rebuild).
 */
export async function saveCheckpoint(
  trx: Transaction<EventStoreTables>,
  name: string,
  point: CommitPoint,
  { eventsApplied, mode }: { eventsApplied: number; mode: 'add' | 'replace' },
): Promise<void> {
  const applied = mode === 'add' ? sql`projection_checkpoints.events_applied + excluded.events_applied` : sql`excluded.events_applied`;
  await sql`${sql.raw(PREPARE)}
    INSERT INTO projection_checkpoints (name, transaction_id, "position", events_applied, updated_at, last_error)
    VALUES (${name}, ${point.transactionId}::xid8, ${point.position}, ${eventsApplied}, now(), NULL)
    ON CONFLICT (name) DO UPDATE SET transaction_id = excluded.transaction_id, "position" = excluded."position",
      events_applied = ${applied}, updated_at = now(), last_error = NULL`.execute(trx);
}
