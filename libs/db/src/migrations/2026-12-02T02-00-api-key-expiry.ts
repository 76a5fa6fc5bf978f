import { Kysely, sql } from 'kysely';

// A key can be given an end (a newsroom's intern, a notebook shared for a week), and the table
// says when each key was last used, so an admin can tell a forgotten key from a working one.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE api_keys ADD COLUMN expires_at timestamptz, ADD COLUMN last_used_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE api_keys DROP COLUMN IF EXISTS expires_at, DROP COLUMN IF EXISTS last_used_at`.execute(db);
}
