import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, startReplayServer, type ReplayServer } from '../../../../../test/support/replay-server';
import { HttpClient } from '../../http/http-client';
import type { SourcePage } from '../source';
import { pressReleasesUrl } from './doj-press.fetch';
import { dojPressConfigSchema, dojPressSource, type DojPressCursor } from './doj-press.source';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/sources/doj-press');
const recorded = JSON.parse(readFileSync(join(FIXTURES, 'press-releases-2017.json'), 'utf8')) as { results: Record<string, unknown>[] };
const [, , byrneJag, malformed] = recorded.results;

const PATH = '/api/v1/press_releases.json';
const NOW = new Date('2017-09-20T12:00:00Z');
// The recorded Byrne JAG release under made-up uuids and change times, newest first.
const release = (n: number, changed: number) => ({
  ...byrneJag,
  uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  changed: String(changed),
});
const body = (count: number, page: number, results: unknown[]) => ({
  metadata: { responseInfo: { status: 200, developerMessage: 'OK' }, resultset: { count, pagesize: 2, page } },
  results,
});

async function collect(pages: AsyncIterable<SourcePage<DojPressCursor>>) {
  const all: SourcePage<DojPressCursor>[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

describe('dojPressSource against a replay server', () => {
  let server: ReplayServer | undefined;
  const sleeps: number[] = [];
  const run = (cursor: DojPressCursor | null, overrides: Record<string, unknown> = {}) =>
    collect(
      dojPressSource.pages({
        sourceId: 'doj-press',
        config: dojPressConfigSchema.parse({ baseUrl: `${server!.url}/api/v1`, pageSize: 2, ...overrides }),
        cursor,
        http: new HttpClient({ sourceId: 'doj-press', sleep: async (ms) => void sleeps.push(ms), timeoutMs: 5_000 }),
        now: () => NOW,
      }),
    );

  beforeEach(() => void sleeps.splice(0));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reads pages newest change first until the last page, then moves the cursor to the newest change', async () => {
    server = await startReplayServer([
      { path: PATH, query: { page: '0' }, responses: [ok(body(3, 0, [release(1, 1505000300), malformed]))] },
      { path: PATH, query: { page: '1' }, responses: [ok(body(3, 1, [release(2, 1505000100)]))] },
    ]);
    const pages = await run(null);

    const asked = server.requests[0].query;
    expect(Object.fromEntries(['sort', 'direction', 'pagesize', 'page'].map((k) => [k, asked.get(k)]))).toEqual({
      sort: 'changed', direction: 'DESC', pagesize: '2', page: '0',
    });
    expect(pages.map((p) => [p.fetched, p.items.length, p.parked.length])).toEqual([[2, 1, 1], [1, 1, 0]]);
    // Until the run ends, the cursor keeps the old cutoff (the config's start) and where the run is.
    expect(pages[0].cursor).toEqual({ changedSince: Date.parse('2017-01-20T00:00:00Z') / 1000, run: { newest: 1505000300, page: 0 } });
    expect(pages[1].cursor).toEqual({ changedSince: 1505000300 });
    for (const page of pages) for (const item of page.items) expect(item.proposal.content.sources?.[0].retrievedAt).toBe(NOW.toISOString());
  });

  it('stops at the first release older than the cursor, without asking for the next page', async () => {
    server = await startReplayServer([
      { path: PATH, query: { page: '0' }, responses: [ok(body(40, 0, [release(3, 1505000500), release(1, 1505000300)]))] },
    ]);
    const pages = await run({ changedSince: 1505000400 });

    expect(pages).toHaveLength(1);
    expect(pages[0].items.map((i) => i.externalId)).toEqual(['00000000-0000-4000-8000-000000000003']);
    expect(pages[0].cursor).toEqual({ changedSince: 1505000500 });
    expect(server.requests).toHaveLength(1);
  });

  it('resumes a run that stopped part-way at its next page, keeping its cutoff', async () => {
    server = await startReplayServer([
      { path: PATH, query: { page: '1' }, responses: [ok(body(4, 1, [release(2, 1505000200), release(0, 1505000000)]))] },
    ]);
    const pages = await run({ changedSince: 1505000100, run: { newest: 1505000600, page: 0 } });

    expect(server.requests.map((r) => r.query.get('page'))).toEqual(['1']);
    expect(pages[0].items.map((i) => i.externalId)).toEqual(['00000000-0000-4000-8000-000000000002']);
    expect(pages[0].cursor).toEqual({ changedSince: 1505000600 });
  });

  it('asks for at most 50 a page, as the API serves no more', () => {
    expect(new URL(pressReleasesUrl({ baseUrl: 'https://www.justice.gov/api/v1/', page: 0, pageSize: 500 })).searchParams.get('pagesize')).toBe('50');
  });

  it('waits as long as a 429 says, then goes on', async () => {
    server = await startReplayServer([
      { path: PATH, query: { page: '0' }, responses: [{ status: 429, headers: { 'retry-after': '3' } }, ok(body(1, 0, [release(1, 1505000300)]))] },
    ]);
    const pages = await run({ changedSince: 1505000000 });

    expect(sleeps).toEqual([3000]);
    expect(pages[0].items).toHaveLength(1);
  });

  it('fails permanently when the path answers an HTML 404', async () => {
    server = await startReplayServer([]);
    await expect(run(null)).rejects.toMatchObject({ code: 'SOURCE.HTTP_ERROR', permanent: true, status: 404 });
  });
});
