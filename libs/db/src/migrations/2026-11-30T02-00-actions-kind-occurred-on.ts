import { Kysely, sql } from 'kysely';

// Possible duplicates of an action are the published ones of its kind that occurred near it:
// read nearest first from each side of its day, a few hundred rows at most however large the
// ledger. Partial, since only published actions are ever candidates (the query names the status
// as a literal so that a generic plan still matches the predicate).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX actions_published_kind_occurred_on ON actions (kind, occurred_on) WHERE status = 'published'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS actions_published_kind_occurred_on`.execute(db);
}
