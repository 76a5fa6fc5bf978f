import { Kysely, sql } from 'kysely';

// The sealed ledger (docs/decisions.md, "A ledger anyone can verify"). An asynchronous
// projection seals the events in commit order: each seal row holds the leaf hashes of the
// events it took, the RFC 6962 root and hash chain of every event sealed so far, and the
// tree's right edge to carry on from. Tiles are the roots of aligned 256-leaf subtrees, so an
// inclusion proof reads a few kilobytes, not every leaf. Like events, seals are append-only.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE ledger_seals (
      seal                 bigint      PRIMARY KEY,
      size                 bigint      NOT NULL UNIQUE,
      leaves               bytea       NOT NULL,
      last_transaction_id  xid8        NOT NULL,
      last_position        bigint      NOT NULL,
      root                 bytea       NOT NULL,
      chain                bytea       NOT NULL,
      frontier             bytea       NOT NULL,
      sealed_at            timestamptz NOT NULL,
      key_id               text,
      signature            bytea
    )`.execute(db);
  await sql`CREATE INDEX ledger_seals_last_event ON ledger_seals (last_transaction_id, last_position)`.execute(db);
  await sql`CREATE TABLE ledger_tiles (tile bigint PRIMARY KEY, hash bytea NOT NULL)`.execute(db);
  await sql`
    CREATE TABLE ledger_keys (
      key_id         text PRIMARY KEY,
      public_key     text NOT NULL,
      first_used_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  for (const table of ['ledger_seals', 'ledger_tiles']) {
    await sql`CREATE TRIGGER ${sql.id(`${table}_no_update_delete`)} BEFORE UPDATE OR DELETE ON ${sql.id(table)}
                FOR EACH ROW EXECUTE FUNCTION events_are_append_only()`.execute(db);
    await sql`CREATE TRIGGER ${sql.id(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.id(table)}
                FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS ledger_seals, ledger_tiles, ledger_keys`.execute(db);
  await sql`DELETE FROM projection_checkpoints WHERE name = 'ledger_seal'`.execute(db);
}
