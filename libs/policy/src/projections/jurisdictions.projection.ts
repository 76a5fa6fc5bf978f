import type { Projection } from '@app/event-store';
import { policyDb } from '../database';
import { consolidatedTwinOf, type JurisdictionRegistered } from '../domain';
import { JurisdictionRepository } from '../repositories/jurisdiction.repository';

/**
 * The jurisdiction directory. Each row carries its ancestors (nearest first) so a timeline
 * read knows at once which timelines it inherits from, and a consolidated city-county's row
 * its twin (domain/jurisdiction/directory.ts), whose timeline it shares.
 */
export const jurisdictionsProjection: Projection = {
  name: 'jurisdictions',
  eventTypes: ['JurisdictionRegistered'],
  tables: ['jurisdictions'],
  async handle(trx, events) {
    const jurisdictions = new JurisdictionRepository(policyDb(trx));
    const registered = events.map((e) => ({ ...(e.data as JurisdictionRegistered['data']), at: e.recordedAt }));
    // Parents registered earlier come from the table; parents in this batch precede their children.
    const outside = [...new Set(registered.map((r) => r.parentId).filter((p): p is string => p !== null))];
    const known = await jurisdictions.ancestorsAmong(outside);
    await jurisdictions.insert(
      registered.map((r) => {
        const ancestors = r.parentId ? [r.parentId, ...(known.get(r.parentId) ?? [])] : [];
        known.set(r.id, ancestors);
        return { id: r.id, name: r.name, level: r.level, parentId: r.parentId, ancestors, registeredAt: r.at };
      }),
    );
    // A consolidated city-county's two ids point at each other once both are registered.
    await jurisdictions.linkTwins(registered.flatMap((r) => {
      const twin = consolidatedTwinOf(r.id);
      return twin ? [[r.id, twin] as const] : [];
    }));
  },
};
