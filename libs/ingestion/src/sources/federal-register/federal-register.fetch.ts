import {
  FEDERAL_REGISTER_FIELDS,
  federalRegisterPageSchema,
  MAX_PAGE,
  MAX_RESULT_WINDOW,
  type PresidentialDocumentType,
} from './federal-register.schema';
import { SourceFetchError, type HttpClient, type Validators } from '../../http/http-client';

/** Inclusive range of signing dates, 'YYYY-MM-DD'. */
export interface DateWindow {
  from: string;
  to: string;
}

export interface FederalRegisterQuery {
  /** From config, e.g. https://www.federalregister.gov/api/v1 */
  baseUrl: string;
  window: DateWindow;
  /** Defaults to executive orders only. */
  types?: readonly PresidentialDocumentType[];
  /** 2–1000; the API silently turns per_page=1 into 20. Defaults to 100. */
  perPage?: number;
}

/** What a caller kept from an earlier fetch of the same page URL. */
export interface PageValidators extends Validators {
  /** The page's count and total_pages then: a 304 has no body, and these are still true. */
  count: number;
  totalPages: number;
}

export interface FetchOptions {
  http: HttpClient;
  /** Validators from an earlier run, by page URL, for conditional requests. */
  validators?: (url: string) => PageValidators | undefined;
}

export interface FetchedPage {
  window: DateWindow;
  page: number;
  url: string;
  count: number;
  totalPages: number;
  /** True on a 304: the page is as it was, and `items` is empty. */
  unchanged: boolean;
  /** No page follows in this window (no next_page_url; after a 304, the last of the earlier total). */
  lastPage: boolean;
  /** Raw documents, to be parsed one by one (see normalisePage). */
  items: unknown[];
  etag?: string;
  lastModified?: string;
}

const DEFAULT_PER_PAGE = 100;

/** The documents.json URL for one page of one window of signing dates. */
export function documentsUrl(query: FederalRegisterQuery, page: number): string {
  const url = new URL(`${query.baseUrl.replace(/\/+$/, '')}/documents.json`);
  const p = url.searchParams;
  p.append('conditions[type][]', 'PRESDOCU');
  for (const type of query.types ?? ['executive_order']) p.append('conditions[presidential_document_type][]', type);
  // signing_date is a date filter like publication_date (is, gte, lte, year; both bounds inclusive).
  p.append('conditions[signing_date][gte]', query.window.from);
  p.append('conditions[signing_date][lte]', query.window.to);
  for (const field of FEDERAL_REGISTER_FIELDS) p.append('fields[]', field);
  p.append('per_page', String(perPageOf(query)));
  // Oldest first, so a window's pages stay put while new documents arrive at its end.
  p.append('order', 'oldest');
  p.append('page', String(page));
  return url.toString();
}

/** The last page the API really serves at this page size (past it, it answers page 1). */
export function maxPages(perPage: number): number {
  return Math.min(MAX_PAGE, Math.floor(MAX_RESULT_WINDOW / perPage));
}

/**
 * Every page of the window, in order, one at a time so a caller can checkpoint after each.
 * A window holding more than the API will page through is split in two, recursively, before
 * any of its pages is yielded: no request ever asks for a page past the cap.
 */
export async function* fetchDocumentPages(
  query: FederalRegisterQuery,
  options: FetchOptions,
): AsyncGenerator<FetchedPage> {
  const perPage = perPageOf(query);
  const cap = maxPages(perPage);
  const first = await fetchPage(query, 1, options);
  if (first.count > perPage * cap || first.totalPages > cap) {
    const halves = splitWindow(query.window);
    if (!halves) {
      throw new SourceFetchError(
        'FEDERAL_REGISTER.WINDOW_TOO_LARGE',
        `${first.count} documents signed on ${query.window.from} are more than ${cap} pages of ${perPage}`,
        true,
      );
    }
    for (const window of halves) yield* fetchDocumentPages({ ...query, window }, options);
    return;
  }
  yield first;
  // Pages are built here rather than taken from next_page_url, which names the API's own host:
  // the configured base URL stays the one asked.
  for (let page = 2, previous = first; !previous.lastPage && page <= cap; page++) {
    previous = await fetchPage(query, page, options);
    yield previous;
  }
}

/** Splits an inclusive window of days into two halves; undefined for a single day. */
export function splitWindow({ from, to }: DateWindow): [DateWindow, DateWindow] | undefined {
  const start = Date.parse(`${from}T00:00:00Z`);
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - start) / 86_400_000);
  if (days < 1) return undefined;
  const day = (offset: number) => new Date(start + offset * 86_400_000).toISOString().slice(0, 10);
  const middle = Math.floor(days / 2);
  return [{ from, to: day(middle) }, { from: day(middle + 1), to }];
}

/** One page; a 304 gives back the validators' count and total pages. */
export async function fetchPage(query: FederalRegisterQuery, page: number, options: FetchOptions): Promise<FetchedPage> {
  const url = documentsUrl(query, page);
  const previous = options.validators?.(url);
  const response = await options.http.getJson(url, { validators: previous });
  const { etag, lastModified } = response.validators;
  if (response.notModified && previous) {
    const { count, totalPages } = previous;
    return { window: query.window, page, url, count, totalPages, unchanged: true, lastPage: page >= totalPages, items: [], etag, lastModified };
  }
  const parsed = federalRegisterPageSchema.safeParse(response.body);
  if (!parsed.success) {
    throw new SourceFetchError('SOURCE.BAD_RESPONSE', `${url}: not a documents page (${parsed.error.message})`, true);
  }
  const { count, total_pages, results, next_page_url } = parsed.data;
  const items = results ?? [];
  return {
    window: query.window, page, url, count, totalPages: total_pages ?? 0, unchanged: false,
    lastPage: !next_page_url || items.length === 0, items, etag, lastModified,
  };
}

function perPageOf(query: FederalRegisterQuery): number {
  const perPage = query.perPage ?? DEFAULT_PER_PAGE;
  if (!Number.isInteger(perPage) || perPage < 2 || perPage > 1000) {
    throw new RangeError(`perPage must be an integer from 2 to 1000, not ${perPage}`);
  }
  return perPage;
}
