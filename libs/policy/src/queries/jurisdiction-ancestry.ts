import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { EventStore } from '@app/event-store';
import { DomainError } from '../domain';

const CACHE_SIZE = 50_000;

/**
 * Ancestors of a jurisdiction (nearest first), cached: a registered jurisdiction's place in
 * the tree never changes, so the cache never goes stale and each timeline read saves a
 * round trip.
 */
@Injectable()
export class JurisdictionAncestry {
  private readonly cache = new Map<string, string[]>();

  constructor(private readonly store: EventStore) {}

  async ancestorsOf(id: string): Promise<string[]> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const { rows } = await sql<{ ancestors: string[] }>`
      SELECT ancestors FROM jurisdictions WHERE id = ${id}`.execute(this.store.db);
    if (!rows[0]) throw new DomainError('JURISDICTION.UNKNOWN', `no jurisdiction ${id}`, { details: { id } });
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(id, rows[0].ancestors);
    return rows[0].ancestors;
  }
}
