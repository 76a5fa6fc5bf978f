import { sql, type Kysely, type Selectable } from 'kysely';
import { RUN_COUNTERS, type IngestionDatabase, type IngestionRunsTable, type RunCounter, type RunTrigger } from '../database';

export type RunCounts = Record<RunCounter, number>;

/** One run of a source, with what it did. */
export interface StoredRun extends RunCounts {
  id: number;
  sourceId: string;
  trigger: RunTrigger;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: Date;
  finishedAt: Date | null;
  /** Milliseconds from start to finish; null while running. */
  durationMs: number | null;
  error: string | null;
}

export const NO_COUNTS: RunCounts = Object.freeze(Object.fromEntries(RUN_COUNTERS.map((c) => [c, 0])) as RunCounts);

function stored(r: Selectable<IngestionRunsTable>): StoredRun {
  const counts = Object.fromEntries(RUN_COUNTERS.map((c) => [c, r[c]])) as RunCounts;
  return {
    id: r.id,
    sourceId: r.source_id,
    trigger: r.trigger,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.finished_at ? r.finished_at.getTime() - r.started_at.getTime() : null,
    error: r.error,
    ...counts,
  };
}

/** The `ingestion_runs` table. */
export class RunRepository {
  constructor(private readonly db: Kysely<IngestionDatabase>) {}

  async start(sourceId: string, trigger: RunTrigger): Promise<StoredRun> {
    return stored(await this.db.insertInto('ingestion_runs').values({ source_id: sourceId, trigger }).returningAll().executeTakeFirstOrThrow());
  }

  /** Forgets a run that never got to start (its source was busy). */
  async discard(id: number): Promise<void> {
    await this.db.deleteFrom('ingestion_runs').where('id', '=', id).where('pages', '=', 0).execute();
  }

  /** Adds a page's counts; called in the transaction that stores the page. */
  async add(id: number, counts: Partial<RunCounts>): Promise<void> {
    const entries = Object.entries(counts).filter(([, n]) => n);
    if (entries.length === 0) return;
    await this.db
      .updateTable('ingestion_runs')
      .set(Object.fromEntries(entries.map(([c, n]) => [c, sql<number>`${sql.ref(c)} + ${n}`])))
      .where('id', '=', id)
      .execute();
  }

  async finish(id: number, error?: string): Promise<StoredRun> {
    const row = await this.db
      .updateTable('ingestion_runs')
      .set({ status: error === undefined ? 'succeeded' : 'failed', finished_at: sql<Date>`now()`, error: error ?? null })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return stored(row);
  }

  /** Runs newest first; `beforeId` pages on. */
  async list(s: { sourceId?: string; beforeId?: number; take: number }): Promise<StoredRun[]> {
    const rows = await this.db
      .selectFrom('ingestion_runs')
      .selectAll()
      .$if(s.sourceId !== undefined, (q) => q.where('source_id', '=', s.sourceId!))
      .$if(s.beforeId !== undefined, (q) => q.where('id', '<', s.beforeId!))
      .orderBy('id', 'desc')
      .limit(s.take)
      .execute();
    return rows.map(stored);
  }

  /** Each source's latest run. */
  async latest(): Promise<Map<string, StoredRun>> {
    const rows = await this.db
      .selectFrom('ingestion_runs')
      .selectAll()
      .distinctOn('source_id')
      .orderBy('source_id')
      .orderBy('id', 'desc')
      .execute();
    return new Map(rows.map((r) => [r.source_id, stored(r)]));
  }

  /**
   * A run that stopped holding its source (its lease lapsed) while still recorded as running
   * ended there, unable to record it: its process ended, or the database was out of reach
   * when it failed (a restart), which is also why its own error was not stored.
   */
  async failLapsed(id: number): Promise<void> {
    await this.db
      .updateTable('ingestion_runs')
      .set({
        status: 'failed',
        finished_at: sql<Date>`now()`,
        error: 'stopped without finishing (its process ended, or lost the database before it could record why); the next run resumed from its cursor',
      })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute();
  }
}
