import { Kysely, sql } from 'kysely';

// The whole-ledger export reads every action in the order it was first recorded, a batch at a
// time after the last position it sent. Without this index each batch sorted the whole table
// to find its next rows (the status index only serves one status, newest first).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX actions_first_position ON actions (first_position)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS actions_first_position`.execute(db);
}
