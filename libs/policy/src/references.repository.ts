import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { EventStore } from '@app/event-store';

const KNOWN_JURISDICTIONS_MAX = 50_000;

/** Existence checks the deciders cannot do themselves, answered from the inline read models. */
@Injectable()
export class ReferencesRepository {
  /**
   * Jurisdictions seen to exist. A registered jurisdiction is never removed, so a hit never
   * goes stale (JurisdictionAncestry relies on the same); most writes then skip this query.
   */
  private readonly knownJurisdictions = new Set<string>();

  constructor(private readonly store: EventStore) {}

  async missingJurisdictions(ids: readonly string[]): Promise<string[]> {
    const unknown = ids.filter((id) => !this.knownJurisdictions.has(id));
    const missing = await this.missing('jurisdictions', unknown);
    for (const id of unknown) {
      if (missing.includes(id)) continue;
      if (this.knownJurisdictions.size >= KNOWN_JURISDICTIONS_MAX) this.knownJurisdictions.clear();
      this.knownJurisdictions.add(id);
    }
    return missing;
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
