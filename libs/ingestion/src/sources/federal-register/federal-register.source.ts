import { z } from 'zod';
import type { SourceAdapter, SourcePage } from '../source';
import { fetchDocumentPages, type DateWindow } from './federal-register.fetch';
import { normalisePage } from './federal-register.normalise';
import { PRESIDENTIAL_DOCUMENT_TYPES } from './federal-register.schema';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const federalRegisterConfigSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }),
  types: z.array(z.enum(PRESIDENTIAL_DOCUMENT_TYPES)).min(1).default(['executive_order', 'proclamation', 'memorandum']),
  /** Where a first run starts (signing dates). */
  startDate: isoDay.default('2017-01-20'),
  /** Days per request window: a year of presidential documents is a few hundred, far from the 50-page cap (a fuller window is split). */
  windowDays: z.number().int().min(1).max(366).default(366),
  perPage: z.number().int().min(2).max(1000).default(200),
});
export type FederalRegisterConfig = z.output<typeof federalRegisterConfigSchema>;

export const federalRegisterCursorSchema = z.strictObject({
  /** Every window up to this signing date has been stored. */
  signedThrough: isoDay.optional(),
  /** The window being read when the run stopped, and its last stored page. */
  window: z.strictObject({ from: isoDay, to: isoDay }).optional(),
  page: z.number().int().positive().optional(),
});
export type FederalRegisterCursor = z.output<typeof federalRegisterCursorSchema>;

/**
 * Documents are published days (sometimes weeks) after they are signed, and the API is queried
 * by signing date: each run reads this many days again before its cursor, so a late publication
 * is still found. What was already proposed comes back unchanged and appends nothing.
 */
export const LATE_PUBLICATION_DAYS = 45;

const DAY_MS = 86_400_000;
const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Executive orders, proclamations and memoranda from the Federal Register API, by signing date. */
export const federalRegisterSource: SourceAdapter<FederalRegisterConfig, FederalRegisterCursor> = {
  type: 'federal-register',
  configSchema: federalRegisterConfigSchema,
  cursorSchema: federalRegisterCursorSchema,
  normaliseItems: (raws, { retrievedAt }) => normalisePage(raws, retrievedAt),
  async *pages({ config, cursor, since, http, now }): AsyncGenerator<SourcePage<FederalRegisterCursor>> {
    const today = now().toISOString().slice(0, 10);
    const resume = since ? undefined : cursor?.window;
    const start =
      since ?? resume?.from ?? (cursor?.signedThrough ? addDays(cursor.signedThrough, -LATE_PUBLICATION_DAYS) : config.startDate);
    for (let from = start; from <= today; from = addDays(from, config.windowDays)) {
      const to = [addDays(from, config.windowDays - 1), today].sort()[0];
      const query = { baseUrl: config.baseUrl, types: config.types, perPage: config.perPage, window: { from, to } };
      for await (const page of fetchDocumentPages(query, { http })) {
        if (resume && sameWindow(page.window, resume) && page.page <= (cursor?.page ?? 0)) continue;
        const { items, parked } = normalisePage(page.items, now().toISOString());
        const next: FederalRegisterCursor = page.lastPage
          ? { signedThrough: page.window.to }
          : { signedThrough: addDays(page.window.from, -1), window: page.window, page: page.page };
        yield { label: page.url, fetched: page.items.length, items, parked, cursor: next };
      }
    }
  },
};

function sameWindow(a: DateWindow, b: DateWindow): boolean {
  return a.from === b.from && a.to === b.to;
}
