import { SourceFetchError, type HttpClient } from '../../http/http-client';
import { courtListenerListSchema } from './courtlistener.schema';

/**
 * CourtListener's core of a docket number: two-digit year and five-digit number, no office and
 * no case type ('3:17-cv-00485' → '1700485', '17-16886' → '1716886'). Undefined when it is
 * neither a district nor an appellate number.
 */
export function docketNumberCore(docketNumber: string): string | undefined {
  const district = /^\d+:(\d{2})-[a-z]+-(\d{1,5})\b/i.exec(docketNumber.trim());
  const appellate = /^(\d{2})-(\d{1,5})$/.exec(docketNumber.trim());
  const match = district ?? appellate;
  return match ? `${match[1]}${match[2].padStart(5, '0')}` : undefined;
}

/** A docket number compared the way clerks vary it: case-insensitive, number unpadded, judge's initials dropped. */
export function docketNumberKey(docketNumber: string): string {
  const district = /^(\d+):(\d{2})-([a-z]+)-(\d{1,5})\b/i.exec(docketNumber.trim());
  if (district) return `${district[1]}:${district[2]}-${district[3].toLowerCase()}-${Number(district[4])}`;
  return docketNumber.trim().toLowerCase();
}

export function docketsUrl(baseUrl: string, court: string, docketNumber: string): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/dockets/`);
  url.searchParams.set('court', court);
  url.searchParams.set('docket_number_core', docketNumberCore(docketNumber) ?? docketNumber);
  return url.toString();
}

/** A docket's entries in order of modification, from a time on or (a backfill) from a filing day on. */
export function docketEntriesUrl(baseUrl: string, docketId: number, from: { modifiedSince?: string; filedSince?: string }): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/docket-entries/`);
  url.searchParams.set('docket', String(docketId));
  url.searchParams.set('order_by', 'date_modified');
  if (from.modifiedSince) url.searchParams.set('date_modified__gte', from.modifiedSince);
  if (from.filedSince) url.searchParams.set('date_filed__gte', from.filedSince);
  return url.toString();
}

/**
 * `next` names www.courtlistener.com; it is followed on the configured base URL's host (a mirror,
 * the local replay server in tests) with its path and cursor unchanged.
 */
export function rebase(next: string, baseUrl: string): string {
  const target = new URL(next);
  const base = new URL(baseUrl);
  target.protocol = base.protocol;
  target.host = base.host;
  return target.toString();
}

export async function fetchList(http: HttpClient, url: string): Promise<{ url: string; results: unknown[]; next?: string }> {
  const response = await http.getJson(url);
  const parsed = courtListenerListSchema.safeParse(response.body);
  if (!parsed.success) throw new SourceFetchError('SOURCE.BAD_RESPONSE', `${url}: not a CourtListener list (${parsed.error.message})`, true);
  return { url, results: parsed.data.results, next: parsed.data.next ?? undefined };
}
