import { Kysely, sql } from 'kysely';

// API keys are stored as a SHA-256 hash only: the plaintext is shown once, when created.
// Revoking sets revoked_at rather than deleting, so a key id in old event metadata still
// names a row.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE api_keys (
      id          text PRIMARY KEY,
      name        text,
      role        text        NOT NULL CHECK (role IN ('analyst', 'curator', 'admin')),
      key_hash    text        NOT NULL UNIQUE,
      created_at  timestamptz NOT NULL DEFAULT now(),
      revoked_at  timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS api_keys`.execute(db);
}
