import { Kysely, sql } from 'kysely';

// Ingestion's own state, beside the events: what each source is and where it stopped, which
// upstream item became which action (and what it said then), what could not be read, each run,
// and the webhook deliveries already taken. A page's rows here are written in the transaction
// that appends its proposals (EventStore appendMany's alsoWrite), so they move together.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE ingestion_sources (
      id                 text PRIMARY KEY,
      type               text        NOT NULL,
      name               text        NOT NULL,
      config             jsonb       NOT NULL DEFAULT '{}',
      enabled            boolean     NOT NULL DEFAULT true,
      -- A cron pattern (UTC) for the worker's job scheduler.
      schedule           text        NOT NULL,
      cursor             jsonb,
      cursor_updated_at  timestamptz,
      -- The run that holds the source, until when: one run per source at a time, across
      -- processes. A run renews its lease at every page; a process that dies lets it lapse.
      lease_run_id       bigint,
      lease_until        timestamptz,
      created_at         timestamptz NOT NULL DEFAULT now(),
      updated_at         timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // The proposal key: (source system, external id) → action, and the content hash and
  // content it had upstream when last stored, so a re-read tells unchanged from changed.
  await sql`
    CREATE TABLE ingestion_items (
      source_id      text        NOT NULL,
      external_id    text        NOT NULL,
      action_id      text        NOT NULL,
      content_hash   text        NOT NULL,
      upstream       jsonb       NOT NULL,
      first_seen_at  timestamptz NOT NULL DEFAULT now(),
      changed_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (source_id, external_id)
    )`.execute(db);

  await sql`
    CREATE TABLE ingestion_runs (
      id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      source_id    text        NOT NULL,
      trigger      text        NOT NULL CHECK (trigger IN ('schedule', 'manual', 'cli', 'webhook', 'retry')),
      status       text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
      started_at   timestamptz NOT NULL DEFAULT now(),
      finished_at  timestamptz,
      pages        integer     NOT NULL DEFAULT 0,
      fetched      integer     NOT NULL DEFAULT 0,
      proposed     integer     NOT NULL DEFAULT 0,
      corrected    integer     NOT NULL DEFAULT 0,
      suggested    integer     NOT NULL DEFAULT 0,
      unchanged    integer     NOT NULL DEFAULT 0,
      parked       integer     NOT NULL DEFAULT 0,
      failed       integer     NOT NULL DEFAULT 0,
      error        text
    )`.execute(db);
  await sql`CREATE INDEX ingestion_runs_by_source ON ingestion_runs (source_id, id DESC)`.execute(db);

  await sql`
    CREATE TABLE ingestion_parked (
      id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      source_id    text        NOT NULL,
      external_id  text,
      -- The item's external id, else a hash of its payload: an item that fails again on the
      -- next run updates its open row instead of piling up a copy per run.
      fingerprint  text        NOT NULL,
      -- 'parse': the source's item could not be read; 'propose': the ledger refused its proposal.
      stage        text        NOT NULL CHECK (stage IN ('parse', 'propose')),
      raw          jsonb       NOT NULL,
      reason       text        NOT NULL,
      run_id       bigint      REFERENCES ingestion_runs (id),
      parked_at    timestamptz NOT NULL DEFAULT now(),
      status       text        NOT NULL DEFAULT 'parked' CHECK (status IN ('parked', 'retried', 'dismissed')),
      resolved_at  timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX ingestion_parked_open ON ingestion_parked (source_id, stage, fingerprint) WHERE status = 'parked'`.execute(db);
  await sql`CREATE INDEX ingestion_parked_by_source ON ingestion_parked (source_id, id DESC)`.execute(db);

  await sql`
    CREATE TABLE ingestion_webhook_deliveries (
      idempotency_key  text PRIMARY KEY,
      source_id        text        NOT NULL,
      received_at      timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['ingestion_webhook_deliveries', 'ingestion_parked', 'ingestion_runs', 'ingestion_items', 'ingestion_sources']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
