import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conditional, startReplayServer, type ReplayServer } from '../../../../../test/support/replay-server';
import { HttpClient } from '../../http/http-client';
import type { SourcePage } from '../source';
import { feedConfigSchema, feedSource, type FeedCursor } from './feed.source';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/sources/feed');
const rss = readFileSync(join(FIXTURES, 'nyc-mayor-rss.xml'), 'utf8');
const atom = readFileSync(join(FIXTURES, 'chicago-mayor-atom.xml'), 'utf8');
const NOW = new Date('2017-09-16T12:00:00Z');
const LAST_MODIFIED = 'Tue, 28 Mar 2017 21:20:00 GMT';
const xml = (body: string, headers: Record<string, string> = {}) => ({
  status: 200,
  body,
  headers: { 'content-type': 'application/rss+xml; charset=utf-8', ...headers },
});

async function collect(pages: AsyncIterable<SourcePage<FeedCursor>>) {
  const all: SourcePage<FeedCursor>[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

describe('feedSource against a replay server', () => {
  let server: ReplayServer | undefined;
  const sleeps: number[] = [];
  const run = (path: string, cursor: FeedCursor | null) =>
    collect(
      feedSource.pages({
        sourceId: 'feed:nyc-mayor',
        config: feedConfigSchema.parse({
          url: `${server!.url}${path}`,
          publisher: 'Office of the Mayor of New York City',
          jurisdictionId: 'ocd-division/country:us/state:ny/place:new_york',
        }),
        cursor,
        http: new HttpClient({ sourceId: 'feed:nyc-mayor', sleep: async (ms) => void sleeps.push(ms), timeoutMs: 5_000 }),
        now: () => NOW,
      }),
    );

  beforeEach(() => void sleeps.splice(0));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reads the feed as one page and keeps its validators in the cursor', async () => {
    server = await startReplayServer([{ path: '/news.rss', responses: [conditional('"nyc-1"', xml(rss, { 'last-modified': LAST_MODIFIED }))] }]);
    const [page, ...more] = await run('/news.rss', null);

    expect(more).toEqual([]);
    expect(page).toMatchObject({ fetched: 5, cursor: { etag: '"nyc-1"', lastModified: LAST_MODIFIED } });
    expect(page.items.map((i) => i.proposal.proposal)).toEqual([
      { sourceSystem: 'feed:nyc-mayor', externalId: 'nyc-mayor-news-183-17' },
      { sourceSystem: 'feed:nyc-mayor', externalId: `https://www1.nyc.gov/office-of-the-mayor/news/190-17` },
      { sourceSystem: 'feed:nyc-mayor', externalId: 'https://www1.nyc.gov/office-of-the-mayor/news/ny-sues-byrne-jag' },
    ]);
    expect(page.parked).toHaveLength(1);
    expect(server.requests[0].headers.accept).toMatch(/application\/rss\+xml/);
  });

  it('sends the validators back and reads a 304 as one page with no items and the same cursor', async () => {
    server = await startReplayServer([{ path: '/news.rss', responses: [conditional('"nyc-1"', xml(rss))] }]);
    const cursor = { etag: '"nyc-1"', lastModified: LAST_MODIFIED };
    const pages = await run('/news.rss', cursor);

    expect(pages).toEqual([{ label: `${server.url}/news.rss`, fetched: 0, items: [], parked: [], cursor }]);
    expect(server.requests[0].headers).toMatchObject({ 'if-none-match': '"nyc-1"', 'if-modified-since': LAST_MODIFIED });
  });

  it('drops validators the new answer does not carry', async () => {
    server = await startReplayServer([{ path: '/feed.atom', responses: [xml(atom, { 'content-type': 'application/atom+xml' })] }]);
    const [page] = await run('/feed.atom', { etag: '"old"' });

    expect(page.cursor).toEqual({});
    expect(page.items.map((i) => i.proposal.content.kind)).toEqual(['lawsuit_filing', 'public_statement']);
  });

  it('fails permanently on an answer that is not a feed', async () => {
    server = await startReplayServer([{ path: '/news.rss', responses: [xml('<html><body>Moved</body></html>', { 'content-type': 'text/html' })] }]);
    await expect(run('/news.rss', null)).rejects.toMatchObject({ code: 'SOURCE.BAD_RESPONSE', permanent: true });
  });

  it('waits as long as a 503 says in Retry-After, then reads the feed', async () => {
    server = await startReplayServer([{ path: '/news.rss', responses: [{ status: 503, headers: { 'retry-after': '2' } }, xml(rss)] }]);
    const [page] = await run('/news.rss', null);

    expect(sleeps).toEqual([2000]);
    expect(page.items).toHaveLength(3);
  });
});
