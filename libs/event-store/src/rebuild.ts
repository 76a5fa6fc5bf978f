import { sql, type Kysely, type Transaction } from 'kysely';
import { START, type CommitPoint } from './checkpoint';
import { PROJECTION_LOCK_CLASS, type EventStore } from './event-store';
import { RebuildInProgressError } from './event-store.errors';
import { saveCheckpoint, typesOf, type Projection } from './projection';
import type { EventStoreTables } from './types';

export interface RebuildProgress {
  position: number;
  head: number;
  eventsApplied: number;
}

export interface RebuildOptions {
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
}

/**
 * Rebuilds a projection from position zero beside the live one, then swaps it in.
 *
 * The new tables are filled in a schema of their own (the handler's unqualified table names
 * resolve there through search_path), batch by batch, so memory stays bounded and readers
 * keep reading the live tables. Once it has caught up, one transaction takes the
 * projection's lock (pausing the live runner, or inline appends), applies the last events,
 * replaces the live tables and sets the checkpoint.
 */
export async function rebuildProjection(
  store: EventStore,
  projection: Projection,
  options: RebuildOptions = {},
): Promise<{ eventsApplied: number; position: number }> {
  // One connection for the whole rebuild, holding a session lock on the projection's name:
  // a second rebuild of the same projection (another CLI, another host) would otherwise drop
  // the first one's schema under it. The lock dies with the connection if this process does.
  return store.db.connection().execute(async (db) => {
    const { rows } = await sql<{ locked: boolean }>`
      SELECT pg_try_advisory_lock(${REBUILD_LOCK_CLASS}, hashtext(${projection.name})) AS locked`.execute(db);
    if (!rows[0].locked) throw new RebuildInProgressError(projection.name);
    try {
      return await rebuildOn(db, store, projection, options);
    } finally {
      // If the connection broke, the lock went with it; keep the error that says why.
      await sql`SELECT pg_advisory_unlock(${REBUILD_LOCK_CLASS}, hashtext(${projection.name}))`.execute(db).catch(() => undefined);
    }
  });
}

/** Advisory lock namespace (first key) of rebuilds; projection runners use PROJECTION_LOCK_CLASS. */
const REBUILD_LOCK_CLASS = 0x5052; // 'PR'

async function rebuildOn(
  db: Kysely<EventStoreTables>,
  store: EventStore,
  projection: Projection,
  options: RebuildOptions,
): Promise<{ eventsApplied: number; position: number }> {
  const tables = projection.tables ?? [];
  const schema = `rebuild_${projection.name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
  // The seal is the ledger's record, not a read model: rebuilt, it would seal the log again.
  if (projection.reads === 'leaves') throw new Error(`${projection.name} is not a read model and is never rebuilt`);
  const batchSize = options.batchSize ?? 5000;
  const isInline = store.inlineProjections.includes(projection);

  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db);
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(db);
  for (const table of tables) {
    await sql`CREATE TABLE ${sql.id(schema, table)} (LIKE ${sql.id('public', table)} INCLUDING ALL)`.execute(db);
  }

  let point: CommitPoint = START;
  let eventsApplied = 0;
  const head = await store.headPosition(db);

  // Applies batches into the rebuild schema until nothing is left to read in this transaction.
  const applyBatches = async (trx: Transaction<EventStoreTables>, gapSafe: boolean, untilCaughtUp: boolean) => {
    await sql`SELECT set_config('search_path', ${`${schema}, public`}, true)`.execute(trx);
    for (;;) {
      const { events, next, caughtUp } = await store.readAfter(trx, point, {
        limit: batchSize,
        types: typesOf(projection),
        gapSafe,
      });
      if (events.length) await projection.handle(trx, events);
      point = next;
      eventsApplied += events.length;
      options.onProgress?.({ position: point.position, head: Math.max(head, point.position), eventsApplied });
      if (caughtUp || !untilCaughtUp) return caughtUp;
    }
  };

  try {
    // Bulk of the work: one short transaction per batch.
    let caughtUp = false;
    while (!caughtUp) caughtUp = await db.transaction().execute((trx) => applyBatches(trx, true, false));

    await db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${PROJECTION_LOCK_CLASS}, hashtext(${projection.name}))`.execute(trx);
      // Inline appends hold the shared lock until they commit, so with it held every event of
      // theirs is visible; the async runner follows the gap-safe horizon, and so do we.
      await applyBatches(trx, !isInline, true);
      for (const table of tables) {
        await sql`DROP TABLE ${sql.id('public', table)}`.execute(trx);
        await sql`ALTER TABLE ${sql.id(schema, table)} SET SCHEMA public`.execute(trx);
      }
      await saveCheckpoint(trx, projection.name, point, { eventsApplied, mode: 'replace' });
      await sql`DROP SCHEMA ${sql.id(schema)}`.execute(trx);
    });
  } catch (err) {
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db).catch(() => undefined);
    throw err;
  }
  return { eventsApplied, position: point.position };
}
