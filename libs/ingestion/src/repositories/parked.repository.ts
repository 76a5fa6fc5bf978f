import { createHash } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { IngestionDatabase, IngestionParkedTable } from '../database';

export type ParkedStatus = 'parked' | 'retried' | 'dismissed';

/** An item a run could not store, kept whole with the reason. */
export interface StoredParkedItem {
  id: number;
  sourceId: string;
  externalId: string | null;
  /** What could not be read ('parse': the source's own item) or what the ledger refused ('propose': the proposal). */
  stage: 'parse' | 'propose';
  raw: unknown;
  reason: string;
  runId: number | null;
  parkedAt: Date;
  status: ParkedStatus;
  resolvedAt: Date | null;
  /** Why a curator dismissed it, when they said; null while open and for a retry. */
  resolutionReason: string | null;
  /** Who retried or dismissed it: the caller's id (`key:<id>`, `env:API_ADMIN_KEY`). */
  resolvedBy: string | null;
}

export interface NewParkedItem {
  externalId?: string;
  stage: 'parse' | 'propose';
  raw: unknown;
  reason: string;
}

function stored(r: Selectable<IngestionParkedTable>): StoredParkedItem {
  return {
    id: r.id,
    sourceId: r.source_id,
    externalId: r.external_id,
    stage: r.stage,
    raw: r.raw,
    reason: r.reason,
    runId: r.run_id,
    parkedAt: r.parked_at,
    status: r.status,
    resolvedAt: r.resolved_at,
    resolutionReason: r.resolution_reason,
    resolvedBy: r.resolved_by,
  };
}

/** The `ingestion_parked` table. */
export class ParkedRepository {
  constructor(private readonly db: Kysely<IngestionDatabase>) {}

  /**
   * Parks a page's items; called in the transaction that stores the page. An item already
   * waiting (same source, stage and id, or same payload) is updated: the latest reason and run.
   */
  async park(sourceId: string, runId: number | null, items: readonly NewParkedItem[]): Promise<void> {
    if (items.length === 0) return;
    const rows = new Map<string, NewParkedItem & { fingerprint: string; json: string }>();
    for (const item of items) {
      // A JSON string holding a NUL cannot be stored as jsonb; the text form keeps everything else.
      const json = JSON.stringify(item.raw === undefined ? null : item.raw).replace(/\\u0000/g, '\\ufffd');
      const fingerprint = item.externalId ?? `sha256:${createHash('sha256').update(json).digest('hex')}`;
      rows.set(`${item.stage}\u0000${fingerprint}`, { ...item, fingerprint, json });
    }
    await this.db
      .insertInto('ingestion_parked')
      .values(
        [...rows.values()].map((i) => ({
          source_id: sourceId,
          external_id: i.externalId ?? null,
          fingerprint: i.fingerprint,
          stage: i.stage,
          raw: i.json,
          reason: i.reason.replace(/\0/g, '\ufffd'),
          run_id: runId,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['source_id', 'stage', 'fingerprint'])
          .where('status', '=', 'parked')
          .doUpdateSet((eb) => ({
            raw: eb.ref('excluded.raw'),
            reason: eb.ref('excluded.reason'),
            run_id: eb.ref('excluded.run_id'),
            parked_at: sql<Date>`now()`,
          })),
      )
      .execute();
  }

  async find(id: number): Promise<StoredParkedItem | null> {
    const row = await this.db.selectFrom('ingestion_parked').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? stored(row) : null;
  }

  /** Newest first; `beforeId` pages on. */
  async list(s: { sourceId?: string; status?: ParkedStatus; beforeId?: number; take: number }): Promise<StoredParkedItem[]> {
    const rows = await this.db
      .selectFrom('ingestion_parked')
      .selectAll()
      .$if(s.sourceId !== undefined, (q) => q.where('source_id', '=', s.sourceId!))
      .$if(s.status !== undefined, (q) => q.where('status', '=', s.status!))
      .$if(s.beforeId !== undefined, (q) => q.where('id', '<', s.beforeId!))
      .orderBy('id', 'desc')
      .limit(s.take)
      .execute();
    return rows.map(stored);
  }

  /**
   * Closes a parked item, with who closed it and (a dismissal) why; false when it was not parked
   * any more (someone else resolved it).
   */
  async resolve(id: number, status: 'retried' | 'dismissed', by: { resolvedBy: string; reason?: string }): Promise<boolean> {
    const result = await this.db
      .updateTable('ingestion_parked')
      .set({ status, resolved_at: sql<Date>`now()`, resolved_by: by.resolvedBy, resolution_reason: by.reason ?? null })
      .where('id', '=', id)
      .where('status', '=', 'parked')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Open items per source. */
  async openCounts(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('ingestion_parked')
      .select(['source_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('status', '=', 'parked')
      .groupBy('source_id')
      .execute();
    return new Map(rows.map((r) => [r.source_id, Number(r.n)]));
  }
}
