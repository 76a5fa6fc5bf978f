import { createHash } from 'node:crypto';
import { ACTION_LIMITS, actionIdSchema, type ActionKind } from '@app/policy/domain';
import { clip, describeIssues, normalised, type NormalisedItem, type ParkedItem, type ProposalData } from '../source';
import { rfc3339Day, rfc822Day } from './feed.dates';
import { atomEntrySchema, rssItemSchema, type AtomEntry, type RssItem } from './feed.schema';
import { plainText, uniqueTags } from '../plain-text';

/** What normalising a feed's items needs to know about the feed. */
export interface FeedContext {
  /** 'feed:nyc-mayor': the proposals' sourceSystem. */
  sourceId: string;
  /** The feed's own URL, against which relative links are resolved. */
  feedUrl: string;
  publisher: string;
  /** OCD id of who publishes the feed. */
  jurisdictionId: string;
  /** The kind when no rule says otherwise. */
  kind: ActionKind;
}

/** An item read from either format, before it becomes a proposal. */
interface FeedEntry {
  externalId: string;
  url: string;
  title: string;
  summary?: string;
  day: string;
  categories: string[];
}

/**
 * A link as an identity: lower-case scheme and host (URL does that), no fragment, no utm_*
 * parameters, no trailing slash. Undefined when it is not an http(s) URL.
 */
export function normaliseLink(link: string, base?: string): string | undefined {
  let url: URL;
  try {
    url = new URL(link.trim(), base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  for (const key of [...url.searchParams.keys()]) if (/^utm_/i.test(key)) url.searchParams.delete(key);
  const path = url.pathname.replace(/\/+$/, '');
  const search = url.searchParams.size ? `?${url.searchParams.toString()}` : '';
  return `${url.protocol}//${url.host}${path}${search}`;
}

/**
 * `${sourceSystem}:${externalId}` when the action-id pattern allows it. A guid may be a URL or
 * longer than an id may be, so otherwise the disallowed characters become '-' and a hash of the
 * whole external id is appended: two guids that differ only in those characters stay two actions.
 */
export function feedActionId(sourceSystem: string, externalId: string): string {
  const plain = `${sourceSystem}:${externalId}`;
  if (actionIdSchema.safeParse(plain).success) return plain;
  const hash = createHash('sha256').update(externalId).digest('hex').slice(0, 16);
  const readable = plain.replace(/[^A-Za-z0-9._:-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return `${readable.slice(0, 128 - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

// Explicit rules, so a curator can predict the kind: a suit announced in a press release, and an
// executive order a mayor signs (not one of the President's a mayor talks about).
const SUES = /\b(sues?|suing|sued|lawsuit|files? (a )?(suit|complaint))\b/i;
const MAYOR_SIGNS_ORDER = /\bmayor\b[^.]{0,80}\b(signs?|signed|issues?|issued)\b[^.]{0,40}\bexecutive order\b/i;

export function feedKindOf(title: string, text: string, fallback: ActionKind): ActionKind {
  const all = `${title}. ${text}`;
  if (SUES.test(all)) return 'lawsuit_filing';
  if (MAYOR_SIGNS_ORDER.test(all)) return 'executive_order';
  return fallback;
}

function fromRss(item: RssItem, feed: FeedContext): FeedEntry | string {
  const links = (item.link ?? []).map((l) => (typeof l === 'string' ? l : (l['#text'] ?? l['@_href'] ?? '')));
  const link = links.map((l) => normaliseLink(l, feed.feedUrl)).find(Boolean);
  const guid = typeof item.guid === 'string' ? item.guid : item.guid?.['#text'];
  const permaLink = typeof item.guid === 'string' || item.guid?.['@_isPermaLink'] !== 'false';
  const externalId = guid?.trim() || link;
  if (!externalId) return 'guid: neither a guid nor a link to identify the item';
  const pubDate = item.pubDate ?? item['dc:date'];
  const day = item.pubDate ? rfc822Day(item.pubDate) : item['dc:date'] ? rfc3339Day(item['dc:date']) : undefined;
  if (!day) return pubDate ? `pubDate: "${pubDate}" is not an RFC 822 date` : 'pubDate: is required to date the item';
  const url = link ?? (permaLink && guid ? normaliseLink(guid) : undefined) ?? feed.feedUrl;
  const text = item.description ?? item['content:encoded'];
  const summary = text ? plainText(text) : undefined;
  const title = item.title ? plainText(item.title) : clip(summary ?? '', 200);
  return { externalId, url, title, summary, day, categories: categoriesOf(item.category) };
}

function fromAtom(entry: AtomEntry, feed: FeedContext): FeedEntry | string {
  const links = entry.link ?? [];
  const alternate = links.find((l) => !l['@_rel'] || l['@_rel'] === 'alternate') ?? links[0];
  const url = (alternate && normaliseLink(alternate['@_href'], feed.feedUrl)) ?? feed.feedUrl;
  // published is when it was said; updated moves with every correction.
  const stamp = entry.published ?? entry.updated;
  const day = stamp ? rfc3339Day(stamp) : undefined;
  if (!day) return stamp ? `published: "${stamp}" is not an RFC 3339 date` : 'updated: is required to date the entry';
  const text = entry.summary ?? entry.content;
  const summary = text ? plainText(text) : undefined;
  const title = entry.title ? plainText(entry.title) : clip(summary ?? '', 200);
  if (!title) return 'title: is required';
  return { externalId: entry.id!, url, title, summary, day, categories: categoriesOf(entry.category) };
}

function categoriesOf(categories: RssItem['category']): string[] {
  return (categories ?? []).map((c) => (typeof c === 'string' ? c : (c['@_term'] ?? c['#text'] ?? ''))).filter(Boolean);
}

function proposalOf(entry: FeedEntry, feed: FeedContext, retrievedAt: string): NormalisedItem {
  const proposal: ProposalData = {
    actionId: feedActionId(feed.sourceId, entry.externalId),
    content: {
      kind: feedKindOf(entry.title, entry.summary ?? '', feed.kind),
      title: clip(entry.title, ACTION_LIMITS.title),
      summary: clip(entry.summary || `${feed.publisher}: "${entry.title}" (${entry.day}).`, ACTION_LIMITS.summary),
      occurredOn: { date: entry.day, precision: 'day' },
      actingJurisdictionId: feed.jurisdictionId,
      affectedJurisdictionIds: [feed.jurisdictionId],
      actors: [],
      citations: [],
      amounts: [],
      sources: [
        {
          url: entry.url,
          publisher: clip(feed.publisher, 200),
          title: clip(entry.title, 500),
          publishedOn: entry.day,
          retrievedAt,
          sourceSystem: feed.sourceId,
          externalId: clip(entry.externalId, 300),
        },
      ],
      tags: uniqueTags(entry.categories, ACTION_LIMITS.tags),
    },
    relations: [],
    proposal: { sourceSystem: feed.sourceId, externalId: clip(entry.externalId, 300) },
  };
  return normalised(proposal);
}

/**
 * A feed's items → proposals and parked items. A bad item is parked with the reason; an item
 * whose id came earlier in the same document is dropped (feeds do repeat items).
 */
export function normaliseFeedItems(
  format: 'rss' | 'atom',
  raws: readonly unknown[],
  feed: FeedContext,
  retrievedAt: string,
): { items: NormalisedItem[]; parked: ParkedItem[] } {
  const items: NormalisedItem[] = [];
  const parked: ParkedItem[] = [];
  const seen = new Set<string>();
  for (const raw of raws) {
    let entry: FeedEntry | string;
    if (format === 'rss') {
      const parsed = rssItemSchema.safeParse(raw);
      entry = parsed.success ? fromRss(parsed.data, feed) : describeIssues(parsed.error.issues);
    } else {
      const parsed = atomEntrySchema.safeParse(raw);
      entry = parsed.success ? fromAtom(parsed.data, feed) : describeIssues(parsed.error.issues);
    }
    if (typeof entry === 'string') {
      parked.push({ raw, reason: entry });
      continue;
    }
    if (seen.has(entry.externalId)) continue;
    seen.add(entry.externalId);
    items.push(proposalOf(entry, feed, retrievedAt));
  }
  return { items, parked };
}
