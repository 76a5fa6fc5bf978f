import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { EventStore } from '@app/event-store';

/** Existence checks the deciders cannot do themselves, answered from the inline read models. */
@Injectable()
export class ReferencesRepository {
  constructor(private readonly store: EventStore) {}

  async missingJurisdictions(ids: readonly string[]): Promise<string[]> {
    return this.missing('jurisdictions', ids);
  }

  async missingActions(ids: readonly string[]): Promise<string[]> {
    return this.missing('actions', ids);
  }

  private async missing(table: 'jurisdictions' | 'actions', ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<{ id: string }>`
      SELECT id FROM ${sql.table(table)} WHERE id = ANY(${ids as string[]}::text[])`.execute(this.store.db);
    const found = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !found.has(id));
  }
}
