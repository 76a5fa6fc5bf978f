import { Kysely, sql } from 'kysely';

// The review queue lists the actions of a status newest first (by the position of their first
// event) and stops at a page: with this index it reads that page, instead of every proposal of
// the ledger to sort them (15,000 on the million-event bench ledger: 0.5 s cold).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX actions_status_first_position ON actions (status, first_position DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS actions_status_first_position`.execute(db);
}
