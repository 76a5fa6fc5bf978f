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

  /**
   * One statement for a page: the rows travel as one JSON parameter (a VALUES list of a thousand
   * rows is five thousand parameters for the server to parse and plan).
   */
  async upsert(sourceSystem: string, items: readonly KnownItem[]): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map((i) => ({ e: i.externalId, a: i.actionId, h: i.contentHash, u: i.upstream }));
    await sql`
      INSERT INTO ingestion_items (source_id, external_id, action_id, content_hash, upstream)
      SELECT ${sourceSystem}, r.e, r.a, r.h, r.u
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(e text, a text, h text, u jsonb)
      ON CONFLICT (source_id, external_id)
      DO UPDATE SET content_hash = excluded.content_hash, upstream = excluded.upstream, changed_at = now()`.execute(this.db);
  }
}
