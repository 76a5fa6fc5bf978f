import { Kysely, sql } from 'kysely';

// Concurrent appends each add a new action's words to the search index. With GIN's pending
// list (fastupdate, the default) they queue on the list's lock and on its cleanup, which one of
// them then pays inside its append: POST /api/v1/actions at 8 connections answered 453 req/s
// with it, 613 without (docs/benchmarks-api.md). Searches no longer scan a pending list either.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER INDEX action_search_vector SET (fastupdate = off)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER INDEX action_search_vector RESET (fastupdate)`.execute(db);
}
