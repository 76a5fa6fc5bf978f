import { z } from 'zod';
import type { SourceAdapter, SourcePage } from '../source';
import { fetchPressReleasePage, hasNextPage } from './doj-press.fetch';
import { changedOf, normalisePressReleases } from './doj-press.normalise';
import { MAX_PAGE_SIZE } from './doj-press.schema';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const dojPressConfigSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://www.justice.gov/api/v1'),
  /** A first run reads releases changed from this day on. */
  startDate: isoDay.default('2017-01-20'),
  pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(MAX_PAGE_SIZE),
});
export type DojPressConfig = z.output<typeof dojPressConfigSchema>;

const epochSeconds = z.number().int().nonnegative();

export const dojPressCursorSchema = z.strictObject({
  /** Every release changed at or after this time (epoch seconds) has been stored. */
  changedSince: epochSeconds,
  /** A run that stopped part-way: its newest `changed` and the last page it stored. */
  run: z.strictObject({ newest: epochSeconds, page: z.number().int().nonnegative() }).optional(),
});
export type DojPressCursor = z.output<typeof dojPressCursorSchema>;

const epochOfDay = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

/**
 * Justice Department press releases, newest change first, down to the newest change the last run
 * saw. Releases changed at exactly that second are read again (and append nothing); the cursor
 * moves to the run's newest change only once the run has reached the end, so a run that stops
 * part-way resumes at its next page without losing the older releases below it.
 */
export const dojPressSource: SourceAdapter<DojPressConfig, DojPressCursor> = {
  type: 'doj-press',
  configSchema: dojPressConfigSchema,
  cursorSchema: dojPressCursorSchema,
  normaliseItems: (raws, { retrievedAt }) => normalisePressReleases(raws, retrievedAt),
  async *pages({ config, cursor, since, http, now }): AsyncGenerator<SourcePage<DojPressCursor>> {
    const cutoff = since ? epochOfDay(since) : (cursor?.changedSince ?? epochOfDay(config.startDate));
    const resume = since ? undefined : cursor?.run;
    let newest = resume?.newest ?? cutoff;
    for (let page = resume ? resume.page + 1 : 0; ; page++) {
      const fetched = await fetchPressReleasePage(http, { baseUrl: config.baseUrl, page, pageSize: config.pageSize });
      // Sorted by `changed`, newest first: the first release older than the cutoff ends the run.
      const fresh = fetched.items.filter((raw) => (changedOf(raw) ?? cutoff) >= cutoff);
      const reachedCutoff = fresh.length < fetched.items.length;
      for (const raw of fresh) newest = Math.max(newest, changedOf(raw) ?? newest);
      const { items, parked } = normalisePressReleases(fresh, now().toISOString());
      const done = reachedCutoff || !hasNextPage(fetched);
      const next: DojPressCursor = done ? { changedSince: newest } : { changedSince: cutoff, run: { newest, page } };
      yield { label: fetched.url, fetched: fresh.length, items, parked, cursor: next };
      if (done) return;
    }
  },
};
