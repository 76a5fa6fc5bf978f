import type { ColumnType, GeneratedAlways, Kysely, Transaction } from 'kysely';
import type { EventStoreTables } from '@app/event-store';
import type { ActionKind, ActionStatus, DatePrecision, JurisdictionLevel, PolicyAction, Relation } from './domain';

// The policy context's read tables as Kysely sees them (migrations 2026-11-24T11, T13 and 2026-12-01T04).
// Only the repositories read and write them. A `date` column comes back as 'YYYY-MM-DD' (see
// libs/db connection) and a bigint as a number.

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DateText = ColumnType<string, string, string>;

export interface JurisdictionsTable {
  id: string;
  name: string;
  level: JurisdictionLevel;
  parent_id: string | null;
  /** Nearest first, ending with the country: the timelines this one inherits from. */
  ancestors: string[];
  registered_at: Timestamp;
  /** directory_key(name): lower case, punctuation gone, "St." as "Saint" (migration 2026-12-01T04). */
  search_key: GeneratedAlways<string>;
  /** search_key without the kind a census name ends with: "new york" for "New York city". */
  search_base: GeneratedAlways<string>;
  /** The kind's place in the directory: 0 cities, 1 counties, 2 states (and the country), 3 towns, villages, boroughs, 4 the rest. */
  directory_rank: GeneratedAlways<number>;
  /** The other OCD id of a consolidated city-county; null for everything else. */
  twin_id: ColumnType<string | null, never, string | null>;
}

export interface ActionsTable {
  id: string;
  version: number;
  status: ActionStatus;
  kind: ActionKind;
  title: string;
  occurred_on: DateText;
  precision: DatePrecision;
  acting_jurisdiction_id: string;
  affected_jurisdiction_ids: string[];
  /** The whole current state, as the domain folds it. */
  state: ColumnType<PolicyAction, string, string>;
  first_position: number;
  recorded_at: Timestamp;
  updated_at: Timestamp;
}

/** One row per action: what a search matches, filters, counts and ranks on (ActionSearchRepository). */
export interface ActionSearchTable {
  id: string;
  status: ActionStatus;
  kind: ActionKind;
  occurred_on: DateText;
  acting_jurisdiction_id: string;
  vector: string;
  refs: string[];
}

export interface TimelineEntriesTable {
  action_id: string;
  jurisdiction_id: string;
  is_acting: boolean;
  is_affected: boolean;
  kind: ActionKind;
  title: string;
  status: ActionStatus;
  occurred_on: DateText;
  precision: DatePrecision;
  acting_jurisdiction_id: string;
  /** The acting jurisdiction's level, or 'unknown' if it was not registered when written. */
  acting_level: JurisdictionLevel | 'unknown';
  relations: ColumnType<Relation[], string, string>;
  source_count: number;
  first_position: number;
  recorded_from: Timestamp;
  recorded_to: Timestamp | null;
}

export interface ActionRelationsTable {
  source_id: string;
  relation: Relation['relation'];
  target_id: string;
  recorded_at: Timestamp;
}

// A type, not an interface: Kysely's withTables wants an index signature.
export type PolicyTables = {
  jurisdictions: JurisdictionsTable;
  actions: ActionsTable;
  action_search: ActionSearchTable;
  timeline_entries: TimelineEntriesTable;
  action_relations: ActionRelationsTable;
};

/** The policy context's view of the database: its read tables beside the event store's. */
export type PolicyDatabase = PolicyTables & EventStoreTables;

/** Views a store connection or a projection's transaction through the policy tables. */
export function policyDb(db: Kysely<EventStoreTables>): Kysely<PolicyDatabase>;
export function policyDb(db: Transaction<EventStoreTables>): Transaction<PolicyDatabase>;
export function policyDb(db: Kysely<EventStoreTables>): Kysely<PolicyDatabase> {
  return db.withTables<PolicyTables>();
}
