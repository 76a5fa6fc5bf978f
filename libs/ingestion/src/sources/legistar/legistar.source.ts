import { z } from 'zod';
import { ocdIdSchema } from '@app/policy/domain';
import type { SourceAdapter, SourcePage } from '../source';
import { fetchMattersPage, modifiedOf, sameTime } from './legistar.fetch';
import { normaliseMatters } from './legistar.normalise';
import { legistarTimestampSchema, MAX_TOP } from './legistar.schema';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const legistarConfigSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://webapi.legistar.com/v1'),
  /** The client's name in the API and in its site's host: 'chicago' for chicago.legistar.com. */
  client: z.string().regex(/^[a-z0-9][a-z0-9-]*$/i, 'must be a Legistar client name'),
  jurisdictionId: ocdIdSchema,
  /** 'Chicago City Council' */
  publisher: z.string().trim().min(1).max(200),
  /** Needed by the few clients that do not answer without one. */
  token: z.string().min(1).optional(),
  /** A first run reads matters modified from this day on. */
  startDate: isoDay.default('2017-01-01'),
  /** Rows a page; the API answers no more than 1000. */
  top: z.number().int().min(1).max(MAX_TOP).default(MAX_TOP),
});
export type LegistarConfig = z.output<typeof legistarConfigSchema>;

/**
 * Where the next page starts: the rows modified at or after `modifiedSince`, passing over the
 * first `skip` of them (those at exactly that time already read). A time and a count rather than
 * a time alone, because many rows can share one time and a page may end among them.
 */
export const legistarCursorSchema = z.strictObject({
  modifiedSince: legistarTimestampSchema,
  skip: z.number().int().nonnegative(),
});
export type LegistarCursor = z.output<typeof legistarCursorSchema>;

/**
 * A Legistar client's matters (ordinances and resolutions), in order of modification. Each page
 * asks from the last time seen rather than $skip-ping through one fixed query, so a matter
 * modified during the run moves to the end and is read there instead of shifting every page after
 * it and making one row fall between two pages.
 */
export const legistarSource: SourceAdapter<LegistarConfig, LegistarCursor> = {
  type: 'legistar',
  configSchema: legistarConfigSchema,
  cursorSchema: legistarCursorSchema,
  normaliseItems: (raws, { sourceId, config, retrievedAt }) =>
    normaliseMatters(raws, { sourceId, client: config.client, jurisdictionId: config.jurisdictionId, publisher: config.publisher }, retrievedAt),
  async *pages({ sourceId, config, cursor, since, http, now }): AsyncGenerator<SourcePage<LegistarCursor>> {
    let position: LegistarCursor = since
      ? { modifiedSince: `${since}T00:00:00`, skip: 0 }
      : (cursor ?? { modifiedSince: `${config.startDate}T00:00:00`, skip: 0 });
    const ctx = { sourceId, client: config.client, jurisdictionId: config.jurisdictionId, publisher: config.publisher };
    for (;;) {
      const { url, rows } = await fetchMattersPage(http, { baseUrl: config.baseUrl, client: config.client, top: config.top, token: config.token, ...position });
      position = advance(position, rows);
      const { items, parked } = normaliseMatters(rows, ctx, now().toISOString());
      yield { label: url.replace(/([?&]token=)[^&]*/, '$1…'), fetched: rows.length, items, parked, cursor: position };
      if (rows.length < config.top) return;
    }
  },
};

/** The position after a page: its last time, and how many rows at that time have been read. */
export function advance(position: LegistarCursor, rows: readonly unknown[]): LegistarCursor {
  const times = rows.map(modifiedOf).filter((t): t is string => t !== undefined);
  const last = times.at(-1);
  if (last === undefined) return { ...position, skip: position.skip + rows.length };
  const atLast = times.filter((t) => sameTime(t, last)).length;
  return sameTime(last, position.modifiedSince)
    ? { modifiedSince: position.modifiedSince, skip: position.skip + atLast }
    : { modifiedSince: last, skip: atLast };
}
