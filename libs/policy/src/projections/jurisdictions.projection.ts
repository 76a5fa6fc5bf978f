import { sql, type Transaction } from 'kysely';
import type { InlineProjection, StoredEvent } from '@app/event-store';
import type { JurisdictionRegistered } from '../domain';

/**
 * The jurisdiction directory. Each row carries its ancestors (nearest first) so a timeline
 * read knows at once which timelines it inherits from.
 */
export const jurisdictionsProjection: InlineProjection = {
  name: 'jurisdictions',
  eventTypes: ['JurisdictionRegistered'],
  tables: ['jurisdictions'],
  async handle(trx: Transaction<any>, events: StoredEvent[]) {
    const registered = events.map((e) => ({ ...(e.data as JurisdictionRegistered['data']), at: e.recordedAt }));
    // Parents registered earlier come from the table; parents in this batch precede their children.
    const outside = [...new Set(registered.map((r) => r.parentId).filter((p): p is string => p !== null))];
    const known = new Map<string, string[]>();
    if (outside.length) {
      const { rows } = await sql<{ id: string; ancestors: string[] }>`
        SELECT id, ancestors FROM jurisdictions WHERE id = ANY(${outside}::text[])`.execute(trx);
      for (const row of rows) known.set(row.id, row.ancestors);
    }
    const rows = registered.map((r) => {
      const ancestors = r.parentId ? [r.parentId, ...(known.get(r.parentId) ?? [])] : [];
      known.set(r.id, ancestors);
      return {
        id: r.id,
        name: r.name,
        level: r.level,
        parent_id: r.parentId,
        ancestors,
        registered_at: r.at.toISOString(),
      };
    });
    await sql`
      INSERT INTO jurisdictions (id, name, level, parent_id, ancestors, registered_at)
      SELECT id, name, level, parent_id, ancestors, registered_at
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS r(id text, name text, level text, parent_id text, ancestors text[], registered_at timestamptz)`.execute(trx);
  },
};
