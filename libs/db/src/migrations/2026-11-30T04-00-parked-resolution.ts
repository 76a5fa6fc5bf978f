import { Kysely, sql } from 'kysely';

// A parked item set aside or retried keeps who did it, and a dismissal why: as every other
// curator decision carries its reason. Null for items resolved before this, and for open ones.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE ingestion_parked ADD COLUMN resolution_reason text, ADD COLUMN resolved_by text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE ingestion_parked DROP COLUMN IF EXISTS resolution_reason, DROP COLUMN IF EXISTS resolved_by`.execute(db);
}
