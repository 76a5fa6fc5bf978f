import { sql, type Kysely, type Selectable } from 'kysely';
import type { IngestionDatabase, IngestionSourcesTable } from '../database';

/** A source as an admin (or the defaults) describe it. */
export interface NewSource {
  id: string;
  type: string;
  name: string;
  config: Record<string, unknown>;
  enabled: boolean;
  schedule: string;
}

/** A source as stored: what it is, how it is configured and where it stopped. */
export interface StoredSource extends NewSource {
  cursor: unknown;
  cursorUpdatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type SourceChanges = Partial<Pick<NewSource, 'name' | 'config' | 'enabled' | 'schedule'>> & {
  /** null forgets where the source stopped: its next run starts from its configured beginning. */
  cursor?: null;
};

function stored(r: Selectable<IngestionSourcesTable>): StoredSource {
  return {
    id: r.id,
    type: r.type,
    name: r.name,
    config: r.config,
    enabled: r.enabled,
    schedule: r.schedule,
    cursor: r.cursor,
    cursorUpdatedAt: r.cursor_updated_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The `ingestion_sources` table. */
export class SourceRepository {
  constructor(private readonly db: Kysely<IngestionDatabase>) {}

  async list(): Promise<StoredSource[]> {
    return (await this.db.selectFrom('ingestion_sources').selectAll().orderBy('id').execute()).map(stored);
  }

  async find(id: string): Promise<StoredSource | null> {
    const row = await this.db.selectFrom('ingestion_sources').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? stored(row) : null;
  }

  /** Inserts the source; false when one with its id exists (nothing changed). */
  async add(source: NewSource): Promise<boolean> {
    const inserted = await this.db
      .insertInto('ingestion_sources')
      .values({ ...source, config: JSON.stringify(source.config) })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async update(id: string, changes: SourceChanges): Promise<StoredSource | null> {
    const row = await this.db
      .updateTable('ingestion_sources')
      .set({
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.config !== undefined && { config: JSON.stringify(changes.config) }),
        ...(changes.enabled !== undefined && { enabled: changes.enabled }),
        ...(changes.schedule !== undefined && { schedule: changes.schedule }),
        ...(changes.cursor === null && { cursor: null, cursor_updated_at: null }),
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? stored(row) : null;
  }

  /**
   * Takes the source for a run, or renews the run's hold: false when another run holds it and
   * its lease has not lapsed. Answers the run that held it before, if it lapsed unfinished.
   */
  async claim(id: string, runId: number, leaseMs: number): Promise<{ claimed: boolean; lapsedRunId: number | null }> {
    const row = await sql<{ previous: string | null }>`
      UPDATE ingestion_sources s
         SET lease_run_id = ${runId}, lease_until = now() + ${`${leaseMs} milliseconds`}::interval
        FROM (SELECT id, lease_run_id AS previous FROM ingestion_sources WHERE id = ${id} FOR UPDATE) old
       WHERE s.id = old.id AND (s.lease_run_id IS NULL OR s.lease_run_id = ${runId} OR s.lease_until < now())
      RETURNING old.previous::text AS previous`.execute(this.db);
    const found = row.rows[0];
    if (!found) return { claimed: false, lapsedRunId: null };
    const previous = found.previous === null ? null : Number(found.previous);
    return { claimed: true, lapsedRunId: previous !== null && previous !== runId ? previous : null };
  }

  async release(id: string, runId: number): Promise<void> {
    await this.db
      .updateTable('ingestion_sources')
      .set({ lease_run_id: null, lease_until: null })
      .where('id', '=', id)
      .where('lease_run_id', '=', runId)
      .execute();
  }

  /**
   * Moves the cursor, in the transaction that stores the page it follows; false (nothing
   * written) when the run no longer holds the source.
   */
  async saveCursor(id: string, runId: number, cursor: unknown): Promise<boolean> {
    const result = await this.db
      .updateTable('ingestion_sources')
      .set({ cursor: JSON.stringify(cursor), cursor_updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('lease_run_id', '=', runId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
