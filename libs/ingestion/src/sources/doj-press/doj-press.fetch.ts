import { SourceFetchError, type HttpClient } from '../../http/http-client';
import { dojPressReleasePageSchema, MAX_PAGE_SIZE } from './doj-press.schema';

export interface DojPressQuery {
  /** From config, e.g. https://www.justice.gov/api/v1 */
  baseUrl: string;
  /** Zero-based. */
  page: number;
  /** Clamped to 50, as the API does. */
  pageSize: number;
}

export interface DojPressFetchedPage {
  url: string;
  page: number;
  /** All releases the query matches, on every page. */
  count: number;
  pageSize: number;
  items: unknown[];
}

/**
 * The press_releases.json URL for one page, most recently changed first: a run reads from the top
 * down to what the last run saw, and an edited release comes back to the top to be read again.
 */
export function pressReleasesUrl({ baseUrl, page, pageSize }: DojPressQuery): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/press_releases.json`);
  url.searchParams.set('sort', 'changed');
  url.searchParams.set('direction', 'DESC');
  url.searchParams.set('pagesize', String(clampPageSize(pageSize)));
  url.searchParams.set('page', String(page));
  return url.toString();
}

export function clampPageSize(pageSize: number): number {
  return Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(pageSize)));
}

export async function fetchPressReleasePage(http: HttpClient, query: DojPressQuery): Promise<DojPressFetchedPage> {
  const url = pressReleasesUrl(query);
  const response = await http.getJson(url);
  const parsed = dojPressReleasePageSchema.safeParse(response.body);
  if (!parsed.success) {
    throw new SourceFetchError('SOURCE.BAD_RESPONSE', `${url}: not a press releases page (${parsed.error.message})`, true);
  }
  return { url, page: query.page, count: parsed.data.metadata.resultset.count, pageSize: clampPageSize(query.pageSize), items: parsed.data.results };
}

/** There is a page after this one. */
export function hasNextPage(page: DojPressFetchedPage): boolean {
  return page.items.length > 0 && (page.page + 1) * page.pageSize < page.count;
}
