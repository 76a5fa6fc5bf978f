import { Kysely, sql } from 'kysely';

// Read models of the policy context. They are projections: rebuildable from the events at
// any time, so they carry no foreign keys and no serial columns (a rebuild copies them with
// CREATE TABLE … LIKE and swaps them in).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE jurisdictions (
      id            text PRIMARY KEY,
      name          text        NOT NULL,
      level         text        NOT NULL,
      parent_id     text,
      -- nearest first, ending with the country: the timelines this one inherits from
      ancestors     text[]      NOT NULL,
      registered_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX jurisdictions_parent ON jurisdictions (parent_id)`.execute(db);
  await sql`CREATE INDEX jurisdictions_level_id ON jurisdictions (level, id)`.execute(db);

  await sql`
    CREATE TABLE actions (
      id                       text PRIMARY KEY,
      version                  integer     NOT NULL,
      status                   text        NOT NULL,
      kind                     text        NOT NULL,
      title                    text        NOT NULL,
      occurred_on              date        NOT NULL,
      precision                text        NOT NULL,
      acting_jurisdiction_id   text        NOT NULL,
      affected_jurisdiction_ids text[]     NOT NULL,
      -- the whole current state, as the domain folds it
      state                    jsonb       NOT NULL,
      first_position           bigint      NOT NULL,
      recorded_at              timestamptz NOT NULL,
      updated_at               timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX actions_status_kind ON actions (status, kind)`.execute(db);

  // Bitemporal timeline: one row per (action, jurisdiction it sits on directly) and per
  // version of what the ledger knew. recorded_from/recorded_to bound when that row was the
  // truth, so "as of T" is exact for corrections, retractions and late additions.
  await sql`
    CREATE TABLE timeline_entries (
      action_id              text        NOT NULL,
      jurisdiction_id        text        NOT NULL,
      is_acting              boolean     NOT NULL,
      is_affected            boolean     NOT NULL,
      kind                   text        NOT NULL,
      title                  text        NOT NULL,
      status                 text        NOT NULL,
      occurred_on            date        NOT NULL,
      precision              text        NOT NULL,
      acting_jurisdiction_id text        NOT NULL,
      acting_level           text        NOT NULL,
      relations              jsonb       NOT NULL,
      source_count           integer     NOT NULL,
      -- ties on occurred_on are broken by when the action was first recorded
      first_position         bigint      NOT NULL,
      recorded_from          timestamptz NOT NULL,
      recorded_to            timestamptz,
      PRIMARY KEY (action_id, jurisdiction_id, recorded_from)
    )`.execute(db);
  await sql`
    CREATE INDEX timeline_current ON timeline_entries (jurisdiction_id, occurred_on, first_position)
      WHERE recorded_to IS NULL`.execute(db);
  await sql`
    CREATE INDEX timeline_history ON timeline_entries (jurisdiction_id, occurred_on, first_position)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS timeline_entries, actions, jurisdictions`.execute(db);
}
