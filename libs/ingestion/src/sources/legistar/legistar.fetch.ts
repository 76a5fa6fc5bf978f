import { SourceFetchError, type HttpClient } from '../../http/http-client';
import { legistarMattersSchema, legistarTimestampSchema, MAX_TOP } from './legistar.schema';

export interface MattersQuery {
  /** From config, e.g. https://webapi.legistar.com/v1 */
  baseUrl: string;
  /** 'chicago' */
  client: string;
  /** Rows modified at or after this time, as Legistar wrote it. */
  modifiedSince: string;
  /** Rows to pass over at the start (those at exactly `modifiedSince` already read). */
  skip: number;
  top?: number;
  token?: string;
}

/**
 * The matters URL for one page: modified at or after the given time, in order of modification
 * then id so that ties come back in the same order on every request. The query string is written
 * by hand: OData wants `$filter` as it is, and spaces as %20.
 */
export function mattersUrl(query: MattersQuery): string {
  const params: [string, string][] = [
    ['$filter', `MatterLastModifiedUtc ge datetime'${query.modifiedSince}'`],
    ['$orderby', 'MatterLastModifiedUtc,MatterId'],
    ['$top', String(Math.min(MAX_TOP, query.top ?? MAX_TOP))],
    ['$skip', String(query.skip)],
    ...(query.token ? ([['token', query.token]] as [string, string][]) : []),
  ];
  const search = params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
  return `${query.baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(query.client)}/matters?${search}`;
}

export async function fetchMattersPage(http: HttpClient, query: MattersQuery): Promise<{ url: string; rows: unknown[] }> {
  const url = mattersUrl(query);
  const response = await http.getJson(url);
  const parsed = legistarMattersSchema.safeParse(response.body);
  if (!parsed.success) throw new SourceFetchError('SOURCE.BAD_RESPONSE', `${url}: not an array of matters`, true);
  return { url, rows: parsed.data };
}

/** A row's MatterLastModifiedUtc when it can be read, even if the rest of the row cannot. */
export function modifiedOf(row: unknown): string | undefined {
  const parsed = legistarTimestampSchema.safeParse((row as { MatterLastModifiedUtc?: unknown } | null)?.MatterLastModifiedUtc);
  return parsed.success ? parsed.data : undefined;
}

/** Equal instants written with different trailing zeros ("…38.03" and "…38.030") are one time. */
export function sameTime(a: string, b: string): boolean {
  const canonical = (t: string) => t.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return canonical(a) === canonical(b);
}
