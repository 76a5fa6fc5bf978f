import { z } from 'zod';
import { ACTION_KINDS, ocdIdSchema } from '@app/policy/domain';
import { SourceFetchError } from '../../http/http-client';
import type { SourceAdapter, SourcePage } from '../source';
import { normaliseFeedItems } from './feed.normalise';
import { parseFeed } from './feed.schema';

export const feedConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** Named as the publisher on every source: 'Office of the Mayor of New York City'. */
  publisher: z.string().trim().min(1).max(200),
  /** OCD id of who publishes the feed: the acting jurisdiction of its items. */
  jurisdictionId: ocdIdSchema,
  kind: z.enum(ACTION_KINDS).default('public_statement'),
});
export type FeedConfig = z.output<typeof feedConfigSchema>;

/** The feed's validators, sent back so an unchanged feed costs a 304. */
export const feedCursorSchema = z.strictObject({
  etag: z.string().optional(),
  lastModified: z.string().optional(),
});
export type FeedCursor = z.output<typeof feedCursorSchema>;

const ACCEPT = 'application/rss+xml, application/atom+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.7, */*;q=0.1';

/**
 * An RSS 2.0 or Atom press feed: one request, one page. A feed shows its latest items only, and
 * the items it still shows come back unchanged (and append nothing), so the cursor holds nothing
 * but the validators for a conditional request. A 304 is a page with no items and the same cursor.
 */
export const feedSource: SourceAdapter<FeedConfig, FeedCursor> = {
  type: 'feed',
  configSchema: feedConfigSchema,
  cursorSchema: feedCursorSchema,
  // A parked item is kept without its document: an Atom entry is known by its id and dates.
  normaliseItems: (raws, { sourceId, config, retrievedAt }) =>
    normaliseFeedItems(
      raws.every((r) => typeof r === 'object' && r !== null && 'id' in r && ('updated' in r || 'published' in r)) ? 'atom' : 'rss',
      raws,
      { sourceId, feedUrl: config.url, publisher: config.publisher, jurisdictionId: config.jurisdictionId, kind: config.kind },
      retrievedAt,
    ),
  async *pages({ sourceId, config, cursor, http, now }): AsyncGenerator<SourcePage<FeedCursor>> {
    const response = await http.get(config.url, { accept: ACCEPT, validators: cursor ?? undefined });
    if (response.notModified) {
      yield { label: config.url, fetched: 0, items: [], parked: [], cursor: cursor ?? {} };
      return;
    }
    const feed = parseFeed(response.text);
    if (!feed) throw new SourceFetchError('SOURCE.BAD_RESPONSE', `${sourceId}: ${config.url}: neither an RSS 2.0 nor an Atom feed`, true);
    const { items, parked } = normaliseFeedItems(
      feed.format,
      feed.items,
      { sourceId, feedUrl: config.url, publisher: config.publisher, jurisdictionId: config.jurisdictionId, kind: config.kind },
      now().toISOString(),
    );
    // This answer's own validators: one it did not send must not be kept from an earlier answer.
    const next: FeedCursor = {};
    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    if (etag) next.etag = etag;
    if (lastModified) next.lastModified = lastModified;
    yield { label: config.url, fetched: feed.items.length, items, parked, cursor: next };
  },
};
