import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conditional, ok, startReplayServer, type ReplayServer } from '../../../../../test/support/replay-server';
import {
  documentsUrl,
  fetchDocumentPages,
  splitWindow,
  type FederalRegisterQuery,
  type FetchedPage,
  type FetchOptions,
} from './federal-register.fetch';
import { normalisePage } from './federal-register.normalise';
import { HttpClient, retryAfterMs, type HttpClientOptions } from '../../http/http-client';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/sources/federal-register');
const fixture = (name: string): { count: number; results?: Record<string, unknown>[] } =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const [eo13767, eo13768] = fixture('documents-2017-01-executive-orders.json').results ?? [];

const PATH = '/api/v1/documents.json';
const JANUARY = { from: '2017-01-01', to: '2017-01-31' };
const signedIn = (window: { from: string; to: string }) => ({
  'conditions[signing_date][gte]': window.from,
  'conditions[signing_date][lte]': window.to,
});

// Pages for paging tests: the recorded orders under made-up document numbers, so each is distinct.
const copyOf = (doc: Record<string, unknown>, n: number) => ({ ...doc, document_number: `2017-9${String(n).padStart(4, '0')}` });
const pageBody = (page: number, totalPages: number, count: number, items: unknown[]) => ({
  count,
  total_pages: totalPages,
  ...(page < totalPages ? { next_page_url: `https://www.federalregister.gov/api/v1/documents.json?page=${page + 1}` } : {}),
  results: items,
});

async function collect(pages: AsyncIterable<FetchedPage>): Promise<FetchedPage[]> {
  const all: FetchedPage[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

describe('fetchDocumentPages against a replay server', () => {
  let server: ReplayServer | undefined;
  const sleeps: number[] = [];
  const client = (overrides: Partial<HttpClientOptions> = {}) =>
    new HttpClient({ sourceId: 'federal-register', sleep: async (ms) => void sleeps.push(ms), timeoutMs: 5_000, ...overrides });
  const options: FetchOptions = { http: client() };
  const query = (overrides: Partial<FederalRegisterQuery> = {}): FederalRegisterQuery => ({
    baseUrl: `${server?.url ?? 'http://127.0.0.1:9'}/api/v1`,
    window: JANUARY,
    perPage: 2,
    ...overrides,
  });

  beforeEach(() => void sleeps.splice(0));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('asks for presidential documents by signing date, oldest first, with the fields it reads', async () => {
    server = await startReplayServer([{ path: PATH, responses: [ok(fixture('documents-2017-01-executive-orders.json'))] }]);
    const [page] = await collect(fetchDocumentPages(query({ types: ['executive_order', 'memorandum'] }), options));

    expect(page).toMatchObject({ window: JANUARY, page: 1, count: 2, totalPages: 1, lastPage: true, unchanged: false });
    const asked = server.requests[0].query;
    expect(asked.getAll('conditions[type][]')).toEqual(['PRESDOCU']);
    expect(asked.getAll('conditions[presidential_document_type][]')).toEqual(['executive_order', 'memorandum']);
    expect(asked.get('conditions[signing_date][gte]')).toBe('2017-01-01');
    expect(asked.get('conditions[signing_date][lte]')).toBe('2017-01-31');
    expect(asked.getAll('fields[]')).toEqual(expect.arrayContaining(['document_number', 'executive_order_number', 'signing_date', 'citation']));
    expect(Object.fromEntries(['per_page', 'order', 'page'].map((k) => [k, asked.get(k)]))).toEqual({ per_page: '2', order: 'oldest', page: '1' });
  });

  it('follows the pages of a window until there is no next page', async () => {
    const docs = [1, 2, 3, 4, 5].map((n) => copyOf(eo13768, n));
    server = await startReplayServer(
      [1, 2, 3].map((n) => ({
        path: PATH,
        query: { page: String(n) },
        responses: [ok(pageBody(n, 3, 5, docs.slice((n - 1) * 2, n * 2)))],
      })),
    );
    const pages = await collect(fetchDocumentPages(query(), options));

    expect(pages.map((p) => [p.page, p.items.length, p.lastPage])).toEqual([[1, 2, false], [2, 2, false], [3, 1, true]]);
    expect(server.requests.map((r) => r.query.get('page'))).toEqual(['1', '2', '3']);
    // next_page_url names the real API's host; the configured base URL is the only one asked.
    expect(server.requests).toHaveLength(3);
  });

  it('splits a window of more than 50 pages instead of asking past page 50', async () => {
    const year = { from: '2017-01-01', to: '2017-12-31' };
    const [firstHalf, secondHalf] = splitWindow(year)!;
    server = await startReplayServer([
      // What the API says of the whole year at 2 a page: 240 documents, 120 pages.
      { path: PATH, query: signedIn(year), responses: [ok(pageBody(1, 120, 240, [copyOf(eo13767, 0), copyOf(eo13767, 1)]))] },
      { path: PATH, query: signedIn(firstHalf), responses: [ok(pageBody(1, 1, 1, [eo13767]))] },
      { path: PATH, query: signedIn(secondHalf), responses: [ok(pageBody(1, 1, 1, [eo13768]))] },
    ]);
    const pages = await collect(fetchDocumentPages(query({ window: year }), options));

    expect(firstHalf).toEqual({ from: '2017-01-01', to: '2017-07-02' });
    expect(secondHalf).toEqual({ from: '2017-07-03', to: '2017-12-31' });
    expect(pages.map((p) => p.window)).toEqual([firstHalf, secondHalf]);
    expect(pages.flatMap((p) => p.items)).toEqual([eo13767, eo13768]);
    expect(server.requests.every((r) => Number(r.query.get('page')) <= 50)).toBe(true);
  });

  it('splits on count too, since the API reports total_pages as at most 50', async () => {
    const week = { from: '2017-01-23', to: '2017-01-29' };
    const halves = splitWindow(week)!;
    server = await startReplayServer([
      { path: PATH, query: signedIn(week), responses: [ok(pageBody(1, 50, 101, [eo13767, eo13768]))] },
      ...halves.map((window) => ({ path: PATH, query: signedIn(window), responses: [ok(fixture('documents-no-results.json'))] })),
    ]);
    const pages = await collect(fetchDocumentPages(query({ window: week }), options));

    expect(pages.map((p) => [p.window, p.count, p.lastPage])).toEqual(halves.map((w) => [w, 0, true]));
  });

  it('sends the validators it is given and reads a 304 as an unchanged page', async () => {
    const body = fixture('documents-2017-01-executive-orders.json');
    server = await startReplayServer([{ path: PATH, responses: [conditional('"v1"', ok(body))] }]);
    const url = documentsUrl(query(), 1);
    const lastModified = 'Mon, 30 Jan 2017 05:00:00 GMT';
    const validators = (asked: string) => (asked === url ? { etag: '"v1"', lastModified, count: 2, totalPages: 1 } : undefined);

    const [page] = await collect(fetchDocumentPages(query(), { ...options, validators }));

    expect(page).toMatchObject({ unchanged: true, items: [], count: 2, totalPages: 1, lastPage: true, etag: '"v1"' });
    expect(server.requests[0].headers).toMatchObject({ 'if-none-match': '"v1"', 'if-modified-since': lastModified });
  });

  it('waits as long as a 429 says in Retry-After, then reads the page', async () => {
    const body = fixture('documents-2017-01-executive-orders.json');
    server = await startReplayServer([{ path: PATH, responses: [{ status: 429, headers: { 'retry-after': '1' } }, ok(body)] }]);
    const [page] = await collect(fetchDocumentPages(query(), options));

    expect(sleeps).toEqual([1000]);
    expect(page.items).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
  });

  it('retries a 500 with backoff, then reads the page', async () => {
    const body = fixture('documents-2017-01-executive-orders.json');
    server = await startReplayServer([{ path: PATH, responses: [{ status: 500, body: { status: 500, message: 'Internal Server Error' } }, ok(body)] }]);
    const [page] = await collect(fetchDocumentPages(query(), options));

    expect(sleeps).toEqual([500]);
    expect(page.items).toHaveLength(2);
  });

  it('gives up after its retries with a transient error, and at once on a 404', async () => {
    server = await startReplayServer([
      { path: PATH, query: { page: '1' }, responses: [{ status: 503, body: 'down' }] },
    ]);
    await expect(collect(fetchDocumentPages(query(), { http: client({ maxRetries: 2 }) }))).rejects.toMatchObject({
      code: 'SOURCE.UNAVAILABLE',
      permanent: false,
      status: 503,
    });
    expect(sleeps).toEqual([500, 1000]);

    await expect(collect(fetchDocumentPages({ ...query(), baseUrl: `${server.url}/nowhere` }, options))).rejects.toMatchObject({
      code: 'SOURCE.HTTP_ERROR',
      permanent: true,
      status: 404,
    });
  });

  it('retries when the connection fails, then reports the source unavailable', async () => {
    const closed = await startReplayServer([]);
    await closed.close();
    await expect(collect(fetchDocumentPages({ ...query(), baseUrl: `${closed.url}/api/v1` }, { http: client({ maxRetries: 1 }) }))).rejects.toMatchObject({
      code: 'SOURCE.UNAVAILABLE',
      permanent: false,
    });
    expect(sleeps).toEqual([500]);
  });

  it('parks a malformed item while the rest of its page normalises', async () => {
    server = await startReplayServer([{ path: PATH, responses: [ok(fixture('documents-with-malformed-item.json'))] }]);
    const [page] = await collect(fetchDocumentPages(query(), options));
    const { items: normalised, parked } = normalisePage(page.items, '2017-02-01T12:00:00Z');

    expect(normalised.map((n) => n.proposal.proposal.externalId)).toEqual(['2017-02095', '2017-02102']);
    expect(parked).toEqual([{ raw: page.items[1], reason: expect.stringContaining('document_number') }]);
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2017-01-30T05:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Mon, 30 Jan 2017 05:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Mon, 30 Jan 2017 04:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
