import type { ColumnType, Generated, Kysely } from 'kysely';
import type { EventStoreTables } from '@app/event-store';

// Ingestion's tables as Kysely sees them (migration 2026-11-30T00). Only the repositories
// read and write them.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface IngestionSourcesTable {
  id: string;
  type: string;
  name: string;
  config: Json<Record<string, unknown>>;
  enabled: boolean;
  schedule: string;
  cursor: ColumnType<unknown | null, string | null, string | null>;
  cursor_updated_at: Timestamp | null;
  lease_run_id: number | null;
  lease_until: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IngestionItemsTable {
  source_id: string;
  external_id: string;
  action_id: string;
  content_hash: string;
  upstream: Json<Record<string, unknown>>;
  first_seen_at: Timestamp;
  changed_at: Timestamp;
}

export const RUN_TRIGGERS = ['schedule', 'manual', 'cli', 'webhook', 'retry'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
export const RUN_COUNTERS = ['pages', 'fetched', 'proposed', 'corrected', 'suggested', 'unchanged', 'parked', 'failed'] as const;
export type RunCounter = (typeof RUN_COUNTERS)[number];

export type IngestionRunsTable = {
  id: Generated<number>;
  source_id: string;
  trigger: RunTrigger;
  status: ColumnType<'running' | 'succeeded' | 'failed', 'running' | undefined, 'succeeded' | 'failed'>;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  error: string | null;
} & { [K in RunCounter]: ColumnType<number, number | undefined, number> };

export interface IngestionParkedTable {
  id: Generated<number>;
  source_id: string;
  external_id: string | null;
  fingerprint: string;
  stage: 'parse' | 'propose';
  raw: Json<unknown>;
  reason: string;
  run_id: number | null;
  parked_at: Timestamp;
  status: ColumnType<'parked' | 'retried' | 'dismissed', 'parked' | undefined, 'retried' | 'dismissed'>;
  resolved_at: Timestamp | null;
  resolution_reason: string | null;
  resolved_by: string | null;
}

export interface IngestionWebhookDeliveriesTable {
  idempotency_key: string;
  source_id: string;
  received_at: Timestamp;
}

// A type, not an interface: Kysely's withTables wants an index signature.
export type IngestionTables = {
  ingestion_sources: IngestionSourcesTable;
  ingestion_items: IngestionItemsTable;
  ingestion_runs: IngestionRunsTable;
  ingestion_parked: IngestionParkedTable;
  ingestion_webhook_deliveries: IngestionWebhookDeliveriesTable;
};

/** Ingestion's view of the database: its tables beside the event store's (a page's rows share the append's transaction). */
export type IngestionDatabase = IngestionTables & EventStoreTables;

/** Views a store connection or a transaction through the ingestion tables. */
export function ingestionDb(db: Kysely<EventStoreTables>): Kysely<IngestionDatabase> {
  return db.withTables<IngestionTables>();
}
