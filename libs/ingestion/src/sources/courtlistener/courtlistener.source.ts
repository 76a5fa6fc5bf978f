import { z } from 'zod';
import { ocdIdSchema } from '@app/policy/domain';
import type { SourceAdapter, SourcePage } from '../source';
import { docketEntriesUrl, docketNumberKey, docketsUrl, fetchList, rebase } from './courtlistener.fetch';
import { normaliseDocketEntries, normaliseWatchedEntries } from './courtlistener.normalise';
import { courtListenerDocketSchema } from './courtlistener.schema';

export const courtListenerCaseSchema = z.strictObject({
  /** CourtListener's court id: 'cand', 'ilnd', 'ca9'. */
  court: z.string().regex(/^[a-z0-9]+$/, 'must be a CourtListener court id'),
  /** As the court writes it: '3:17-cv-00485'. */
  docketNumber: z.string().trim().min(1).max(100),
  /** OCD id of who sued: the acting jurisdiction of the complaint. */
  jurisdictionId: ocdIdSchema,
  /** 'City and County of San Francisco v. Trump'; defaults to the docket's case name. */
  caption: z.string().trim().min(1).max(300).optional(),
  /** CourtListener's docket id, which webhook deliveries name the docket by. */
  docketId: z.number().int().positive().optional(),
});
export type CourtListenerCase = z.output<typeof courtListenerCaseSchema>;

export const courtListenerConfigSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://www.courtlistener.com/api/rest/v4'),
  token: z.string().min(1).optional(),
  cases: z.array(courtListenerCaseSchema).min(1),
});
export type CourtListenerConfig = z.output<typeof courtListenerConfigSchema>;

export const courtListenerCursorSchema = z.strictObject({
  /** Per case (`court:docketNumber`): entries modified at or after this instant are still to read. */
  cases: z.record(z.string(), z.strictObject({ modifiedSince: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an instant') })),
});
export type CourtListenerCursor = z.output<typeof courtListenerCursorSchema>;

/** The headers every request to CourtListener carries: the token, when there is one. */
export function courtListenerHeaders(config: Pick<CourtListenerConfig, 'token'>): Record<string, string> {
  return config.token ? { authorization: `Token ${config.token}` } : {};
}

export const caseKey = (c: Pick<CourtListenerCase, 'court' | 'docketNumber'>) => `${c.court}:${c.docketNumber}`;

/**
 * The docket entries of watched cases, case by case, each case's entries in order of
 * modification from its cursor on. Entries modified at exactly the cursor's instant are read
 * again and append nothing. The HTTP client must carry courtListenerHeaders(config).
 */
export const courtListenerSource: SourceAdapter<CourtListenerConfig, CourtListenerCursor> = {
  type: 'courtlistener',
  configSchema: courtListenerConfigSchema,
  cursorSchema: courtListenerCursorSchema,
  requestHeaders: courtListenerHeaders,
  normaliseItems: (raws, { config, retrievedAt }) => normaliseWatchedEntries(raws, config, retrievedAt),
  async *pages({ config, cursor, since, http, now }): AsyncGenerator<SourcePage<CourtListenerCursor>> {
    const cases = { ...(cursor?.cases ?? {}) };
    for (const watched of config.cases) {
      const key = caseKey(watched);
      const lookup = await fetchList(http, docketsUrl(config.baseUrl, watched.court, watched.docketNumber));
      const docket = lookup.results
        .map((raw) => courtListenerDocketSchema.safeParse(raw).data)
        .find((d) => d?.docket_number && docketNumberKey(d.docket_number) === docketNumberKey(watched.docketNumber));
      if (!docket) {
        const reason = `no docket ${watched.docketNumber} in court ${watched.court} on CourtListener`;
        yield { label: lookup.url, fetched: 0, items: [], parked: [{ raw: watched, reason }], cursor: { cases: { ...cases } } };
        continue;
      }
      const ctx = {
        case: watched,
        caption: watched.caption ?? docket.case_name ?? `No. ${watched.docketNumber}`,
        docketPath: docket.absolute_url ?? undefined,
        judge: docket.assigned_to_str ?? undefined,
      };
      let modifiedSince = since ? undefined : cases[key]?.modifiedSince;
      let url: string | undefined = docketEntriesUrl(config.baseUrl, docket.id, since ? { filedSince: since } : { modifiedSince });
      while (url) {
        const page = await fetchList(http, url);
        for (const raw of page.results) modifiedSince = latest(modifiedSince, (raw as { date_modified?: unknown } | null)?.date_modified);
        const { items, parked } = normaliseDocketEntries(page.results, ctx, now().toISOString());
        if (modifiedSince) cases[key] = { modifiedSince };
        yield { label: page.url, fetched: page.results.length, items, parked, cursor: { cases: { ...cases } } };
        url = page.next ? rebase(page.next, config.baseUrl) : undefined;
      }
    }
  },
};

function latest(current: string | undefined, candidate: unknown): string | undefined {
  if (typeof candidate !== 'string' || Number.isNaN(Date.parse(candidate))) return current;
  return current === undefined || Date.parse(candidate) > Date.parse(current) ? candidate : current;
}
