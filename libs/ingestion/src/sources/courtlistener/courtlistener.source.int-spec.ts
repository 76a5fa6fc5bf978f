import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, startReplayServer, type ReplayRoute, type ReplayServer } from '../../../../../test/support/replay-server';
import { HttpClient } from '../../http/http-client';
import type { SourcePage } from '../source';
import { courtListenerConfigSchema, courtListenerHeaders, courtListenerSource, type CourtListenerCursor } from './courtlistener.source';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/sources/courtlistener');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const NOW = new Date('2017-09-20T12:00:00Z');
const BASE = '/api/rest/v4';
const SF = { court: 'cand', docketNumber: '3:17-cv-00485', jurisdictionId: 'ocd-division/country:us/state:ca/place:san_francisco' };
const KEY = 'cand:3:17-cv-00485';

async function collect(pages: AsyncIterable<SourcePage<CourtListenerCursor>>) {
  const all: SourcePage<CourtListenerCursor>[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

describe('courtListenerSource against a replay server', () => {
  let server: ReplayServer | undefined;
  const run = (cursor: CourtListenerCursor | null, cases: unknown[] = [SF]) => {
    const config = courtListenerConfigSchema.parse({ baseUrl: `${server!.url}${BASE}`, token: 'cl-token', cases });
    return collect(
      courtListenerSource.pages({
        sourceId: 'courtlistener',
        config,
        cursor,
        http: new HttpClient({ sourceId: 'courtlistener', headers: courtListenerHeaders(config), sleep: async () => undefined, timeoutMs: 5_000 }),
        now: () => NOW,
      }),
    );
  };
  const routes = (): ReplayRoute[] => [
    { path: `${BASE}/dockets/`, query: { court: 'cand', docket_number_core: '1700485' }, responses: [ok(fixture('dockets-cand-1700485.json'))] },
    { path: `${BASE}/docket-entries/`, query: { cursor: 'cj0xJnA9MjAxNy0wMi0wMQ==' }, responses: [ok(fixture('docket-entries-sf-page-2.json'))] },
    { path: `${BASE}/docket-entries/`, query: { docket: '4336466' }, responses: [ok(fixture('docket-entries-sf-page-1.json'))] },
  ];

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("finds the case's docket by court and core number, then follows next on the configured host", async () => {
    server = await startReplayServer(routes());
    const pages = await run(null);

    expect(server.requests.map((r) => `${r.path}?${r.query}`)).toEqual([
      `${BASE}/dockets/?court=cand&docket_number_core=1700485`,
      `${BASE}/docket-entries/?docket=4336466&order_by=date_modified`,
      `${BASE}/docket-entries/?cursor=cj0xJnA9MjAxNy0wMi0wMQ%3D%3D&docket=4336466&order_by=date_modified`,
    ]);
    expect(server.requests.every((r) => r.headers.authorization === 'Token cl-token')).toBe(true);
    expect(pages.map((p) => [p.fetched, p.items.length, p.parked.length])).toEqual([[3, 2, 1], [3, 3, 0]]);
    // The 5:17-cv-00485 docket shares the core number and is not the case.
    expect(pages[0].items[0].proposal.content.sources?.[0].url).toMatch(/^https:\/\/www\.courtlistener\.com\/docket\/4336466\//);
    expect(pages.map((p) => p.cursor)).toEqual([
      { cases: { [KEY]: { modifiedSince: '2017-02-11T08:00:01.100000-08:00' } } },
      { cases: { [KEY]: { modifiedSince: '2017-09-19T07:30:00.000000-07:00' } } },
    ]);
  });

  it('resumes a case from its cursor', async () => {
    server = await startReplayServer(routes());
    await run({ cases: { [KEY]: { modifiedSince: '2017-04-26T10:41:09.008800-07:00' } } });

    expect(server.requests[1].query.get('date_modified__gte')).toBe('2017-04-26T10:41:09.008800-07:00');
  });

  it('parks a case whose docket CourtListener does not have, and goes on to the next case', async () => {
    server = await startReplayServer([
      { path: `${BASE}/dockets/`, query: { court: 'ilnd' }, responses: [ok({ count: null, next: null, previous: null, results: [] })] },
      ...routes(),
    ]);
    const chicago = { court: 'ilnd', docketNumber: '1:17-cv-05720', jurisdictionId: 'ocd-division/country:us/state:il/place:chicago' };
    const pages = await run(null, [chicago, SF]);

    expect(pages[0]).toMatchObject({ fetched: 0, items: [], parked: [{ raw: chicago, reason: 'no docket 1:17-cv-05720 in court ilnd on CourtListener' }] });
    expect(pages).toHaveLength(3);
  });

  it('fails permanently when the token is refused', async () => {
    server = await startReplayServer([{ path: `${BASE}/dockets/`, responses: [{ status: 401, body: { detail: 'Invalid token.' } }] }]);
    await expect(run(null)).rejects.toMatchObject({ code: 'SOURCE.HTTP_ERROR', permanent: true, status: 401 });
  });
});
