import {
  FEDERAL_REGISTER_FIELDS,
  federalRegisterPageSchema,
  MAX_PAGE,
  MAX_RESULT_WINDOW,
  type PresidentialDocumentType,
} from './federal-register.schema';

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
export interface PageValidators {
  etag?: string;
  lastModified?: string;
  /** The page's count and total_pages then: a 304 has no body, and these are still true. */
  count: number;
  totalPages: number;
}

export interface FetchOptions {
  /** Per request. Defaults to 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt, for 429, 5xx and network failures. Defaults to 4. */
  maxRetries?: number;
  /** A Retry-After longer than this fails the run (to be rescheduled) rather than holding a worker. Defaults to 120 s. */
  maxWaitMs?: number;
  /** Injected so tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
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

export type FetchErrorCode =
  | 'FEDERAL_REGISTER.HTTP_ERROR'
  | 'FEDERAL_REGISTER.UNAVAILABLE'
  | 'FEDERAL_REGISTER.BAD_PAGE'
  | 'FEDERAL_REGISTER.WINDOW_TOO_LARGE';

export class FederalRegisterFetchError extends Error {
  constructor(
    readonly code: FetchErrorCode,
    message: string,
    /** A retry later cannot help (a 4xx, a page not in the API's format). */
    readonly permanent: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FederalRegisterFetchError';
  }
}

const DEFAULTS = { timeoutMs: 30_000, maxRetries: 4, maxWaitMs: 120_000, perPage: 100 };
const BACKOFF_BASE_MS = 500;

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
  options: FetchOptions = {},
): AsyncGenerator<FetchedPage> {
  const perPage = perPageOf(query);
  const cap = maxPages(perPage);
  const first = await fetchPage(query, 1, options);
  if (first.count > perPage * cap || first.totalPages > cap) {
    const halves = splitWindow(query.window);
    if (!halves) {
      throw new FederalRegisterFetchError(
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

/** One page, with retries; a 304 gives back the validators' count and total pages. */
export async function fetchPage(query: FederalRegisterQuery, page: number, options: FetchOptions = {}): Promise<FetchedPage> {
  const url = documentsUrl(query, page);
  const previous = options.validators?.(url);
  const response = await getWithRetries(url, previous, options);
  const etag = response.headers.get('etag') ?? previous?.etag ?? undefined;
  const lastModified = response.headers.get('last-modified') ?? previous?.lastModified ?? undefined;
  if (response.status === 304 && previous) {
    const { count, totalPages } = previous;
    return { window: query.window, page, url, count, totalPages, unchanged: true, lastPage: page >= totalPages, items: [], etag, lastModified };
  }
  const body = await readJson(response, url);
  const parsed = federalRegisterPageSchema.safeParse(body);
  if (!parsed.success) {
    throw new FederalRegisterFetchError('FEDERAL_REGISTER.BAD_PAGE', `${url}: not a documents page (${parsed.error.message})`, true);
  }
  const { count, total_pages, results, next_page_url } = parsed.data;
  const items = results ?? [];
  return {
    window: query.window, page, url, count, totalPages: total_pages ?? 0, unchanged: false,
    lastPage: !next_page_url || items.length === 0, items, etag, lastModified,
  };
}

async function getWithRetries(url: string, previous: PageValidators | undefined, options: FetchOptions): Promise<Response> {
  const { timeoutMs, maxRetries, maxWaitMs } = { ...DEFAULTS, ...definedOnly(options) };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? (() => new Date());
  const headers: Record<string, string> = { accept: 'application/json' };
  if (previous?.etag) headers['if-none-match'] = previous.etag;
  if (previous?.lastModified) headers['if-modified-since'] = previous.lastModified;

  for (let attempt = 0; ; attempt++) {
    const backoff = BACKOFF_BASE_MS * 2 ** attempt;
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      if (attempt >= maxRetries) {
        throw new FederalRegisterFetchError('FEDERAL_REGISTER.UNAVAILABLE', `${url}: ${String(error)}`, false, undefined, { cause: error });
      }
      await sleep(backoff);
      continue;
    }
    if (response.ok || response.status === 304) return response;

    const status = response.status;
    await response.body?.cancel();
    if (status !== 429 && status < 500) {
      throw new FederalRegisterFetchError('FEDERAL_REGISTER.HTTP_ERROR', `${url}: HTTP ${status}`, true, status);
    }
    const asked = status === 429 || status === 503 ? retryAfterMs(response.headers.get('retry-after'), now()) : undefined;
    const wait = asked ?? backoff;
    if (attempt >= maxRetries || wait > maxWaitMs) {
      throw new FederalRegisterFetchError('FEDERAL_REGISTER.UNAVAILABLE', `${url}: HTTP ${status} after ${attempt + 1} attempts`, false, status);
    }
    await sleep(wait);
  }
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

async function readJson(response: Response, url: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FederalRegisterFetchError('FEDERAL_REGISTER.BAD_PAGE', `${url}: body is not JSON`, true, response.status, { cause: error });
  }
}

function perPageOf(query: FederalRegisterQuery): number {
  const perPage = query.perPage ?? DEFAULTS.perPage;
  if (!Number.isInteger(perPage) || perPage < 2 || perPage > 1000) {
    throw new RangeError(`perPage must be an integer from 2 to 1000, not ${perPage}`);
  }
  return perPage;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
