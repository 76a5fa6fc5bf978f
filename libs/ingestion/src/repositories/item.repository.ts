import { sql, type Kysely } from 'kysely';
import type { IngestionDatabase } from '../database';

/** What the ledger last stored of an upstream item. */
export interface KnownItem {
  externalId: string;
  actionId: string;
  contentHash: string;
  /** The item's content as the source last gave it (not as curators since edited it). */
  upstream: Record<string, unknown>;
}

/** The `ingestion_items` table: (source system, external id) → action, with the item's last upstream content. */
export class ItemRepository {
  constructor(private readonly db: Kysely<IngestionDatabase>) {}

  async find(sourceSystem: string, externalIds: readonly string[]): Promise<Map<string, KnownItem>> {
    if (externalIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('ingestion_items')
      .select(['external_id', 'action_id', 'content_hash', 'upstream'])
      .where('source_id', '=', sourceSystem)
      .where(sql<boolean>`external_id = ANY(${[...externalIds]}::text[])`)
      .execute();
    return new Map(
      rows.map((r) => [r.external_id, { externalId: r.external_id, actionId: r.action_id, contentHash: r.content_hash, upstream: r.upstream }]),
    );
  }

  async upsert(sourceSystem: string, items: readonly Omit<KnownItem, never>[]): Promise<void> {
    if (items.length === 0) return;
    await this.db
      .insertInto('ingestion_items')
      .values(
        items.map((i) => ({
          source_id: sourceSystem,
          external_id: i.externalId,
          action_id: i.actionId,
          content_hash: i.contentHash,
          upstream: JSON.stringify(i.upstream),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['source_id', 'external_id']).doUpdateSet((eb) => ({
          content_hash: eb.ref('excluded.content_hash'),
          upstream: eb.ref('excluded.upstream'),
          changed_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }
}
