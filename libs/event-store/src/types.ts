import type { ColumnType, Generated, Transaction } from 'kysely';

/** Metadata every event may carry; stores are free to add keys (source, ip, …). */
export interface EventMetadata {
  actor?: string;
  correlationId?: string;
  causationId?: string;
  idempotencyKey?: string;
  [key: string]: unknown;
}

/** An event as the caller hands it to `append`. */
export interface NewEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
  /** Version of the data's shape; upcasters lift older versions on read. Defaults to 1. */
  schemaVersion?: number;
  metadata?: EventMetadata;
}

/** An event as the store holds it. */
export interface StoredEvent<T extends string = string, D = any> {
  position: number;
  /** The writing transaction's id (xid8, as text): commit order is (transactionId, position). */
  transactionId: string;
  streamId: string;
  streamVersion: number;
  type: T;
  schemaVersion: number;
  data: D;
  metadata: EventMetadata;
  recordedAt: Date;
  /** Its seal leaf, only when read for the seal (Projection.reads = 'leaves'). */
  leaf?: Buffer;
}

/**
 * - a number: the stream must be exactly at that version (0 = must not exist yet);
 * - 'no_stream': same as 0; 'exists': at least one event; 'any': no check.
 */
export type ExpectedVersion = number | 'any' | 'no_stream' | 'exists';

export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expectedVersion: ExpectedVersion;
}

export interface AppendOptions {
  /** Retrying with the same key returns the first result and appends nothing. */
  idempotencyKey?: string;
  /** Merged into every event's metadata (per-event metadata wins). */
  metadata?: EventMetadata;
  /**
   * The caller's own writes, committed in the append's transaction after the inline
   * projections: state that must move with the events or not at all (an ingestion cursor).
   * Not run for a replayed idempotent append.
   */
  alsoWrite?: (trx: Transaction<EventStoreTables>) => Promise<void>;
}

export interface AppendResult {
  /** New version of each stream written, in the order given. */
  streams: { streamId: string; version: number }[];
  /** New version of the first (usually only) stream. */
  version: number;
  /** Global positions of the appended events, in order. */
  positions: number[];
  lastPosition: number;
  /** True when an idempotency key matched an earlier append and nothing was written. */
  replayed: boolean;
  /** The stored events (only for a fresh append; empty on a replay). */
  events: StoredEvent[];
}

/** What an append made under an idempotency key wrote: per stream, the versions it took. */
export interface IdempotentAppend {
  streams: { streamId: string; fromVersion: number; toVersion: number }[];
}

/** A stored event as JSON carries it (feeds, exports, histories): the instant as ISO 8601. */
export interface SerializedEvent {
  position: number;
  transactionId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
  recordedAt: string;
}

/** The one mapping of a stored event to its JSON form. */
export function serializeEvent(e: StoredEvent): SerializedEvent {
  return {
    position: e.position,
    transactionId: e.transactionId,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: e.metadata,
    recordedAt: e.recordedAt.toISOString(),
  };
}

export interface ReadStreamOptions {
  fromVersion?: number;
  toVersion?: number;
  /** Only events the store had recorded at this instant (transaction time). */
  asOfRecordedAt?: Date;
}

export interface ReadAllOptions {
  /** Opaque checkpoint from an earlier read; omitted = from the beginning. */
  after?: string;
  limit?: number;
  /** Only these event types (the checkpoint still moves past others). */
  types?: readonly string[];
  /** Only events of streams whose id starts with this (the checkpoint still moves past others). */
  streamPrefix?: string;
}

export interface ReadAllResult {
  events: StoredEvent[];
  /** Where the next read continues; moves past skipped types and committed-but-empty ranges. */
  checkpoint: string;
  /** True when this read reached the end of what is safely readable now. */
  caughtUp: boolean;
}

// Tables as Kysely sees them.
export interface EventsTable {
  position: Generated<number>;
  transaction_id: Generated<string>;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: unknown;
  recorded_at: Generated<Date>;
}

export interface ProjectionCheckpointsTable {
  name: string;
  transaction_id: ColumnType<string, string | undefined, string>;
  position: ColumnType<number, number | undefined, number>;
  events_applied: ColumnType<number, number | undefined, number>;
  updated_at: ColumnType<Date, Date | undefined, Date | string>;
  last_error: unknown | null;
}

export interface EventIdempotencyKeysTable {
  key: string;
  request_hash: string;
  result: unknown;
  recorded_at: Generated<Date>;
}

// A type, not an interface: Kysely's withTables wants an index signature.
export type EventStoreTables = {
  events: EventsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
  event_idempotency_keys: EventIdempotencyKeysTable;
};
