import { Feed } from 'feed';
import type { TimelineFeed } from '@app/policy';
import { UID_DOMAIN } from './timeline-ics';

/**
 * Tag URIs (RFC 4151) name the feed and its entries: they stay the same whichever host or port
 * serves them, so a reader never sees an entry twice because the API moved.
 */
export const atomEntryId = (actionId: string) => `tag:${UID_DOMAIN},2026:action/${actionId}`;

/**
 * A timeline's latest changes as an Atom feed (RFC 4287), newest change first: an entry's
 * `updated` is when the ledger recorded its current version, `published` when it was first
 * recorded, so a correction brings an entry back to the top with the same id.
 */
export function timelineAtom(feed: TimelineFeed, o: { selfUrl: string; query: string; timelineUrl: string; actionUrl: (id: string) => string }): string {
  const newest = feed.entries[0]?.changedAt;
  const atom = new Feed({
    id: `tag:${UID_DOMAIN},2026:timeline/${feed.jurisdictionId}${o.query ? `?${o.query}` : ''}`,
    title: `${feed.jurisdictionName}: policy timeline`,
    description: `New and changed entries on the timeline of ${feed.jurisdictionName}`,
    link: o.timelineUrl,
    feedLinks: { atom: o.selfUrl },
    // An empty feed still needs an `updated`: the epoch says nothing has happened yet.
    updated: new Date(newest ?? 0),
    author: { name: 'Policy Ledger' },
    generator: 'Policy Ledger',
  });
  for (const e of feed.entries) {
    const acting = e.actingJurisdictionName ?? e.actingJurisdictionId;
    atom.addItem({
      id: atomEntryId(e.actionId),
      title: e.title,
      link: o.actionUrl(e.actionId),
      date: new Date(e.changedAt),
      published: new Date(e.firstRecordedAt),
      description: `${e.occurredOn} · ${e.kind.replace(/_/g, ' ')} · ${acting}${e.inherited && e.via !== e.actingJurisdictionId ? ` (through ${e.viaName ?? e.via})` : ''}. ${e.summary}`,
      author: [{ name: acting }],
      category: [{ term: e.kind, name: e.kind }],
    });
  }
  return atom.atom1();
}
