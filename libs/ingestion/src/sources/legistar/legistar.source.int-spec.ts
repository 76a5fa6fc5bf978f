import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, startReplayServer, type ReplayServer } from '../../../../../test/support/replay-server';
import { HttpClient } from '../../http/http-client';
import type { SourcePage } from '../source';
import { advance, legistarConfigSchema, legistarSource, type LegistarCursor } from './legistar.source';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/sources/legistar');
const rows = JSON.parse(readFileSync(join(FIXTURES, 'chicago-matters-2017.json'), 'utf8')) as Record<string, unknown>[];
const PATH = '/v1/chicago/matters';
const NOW = new Date('2017-10-12T06:00:00Z');
const from = (modifiedSince: string, skip: number) => ({ $filter: `MatterLastModifiedUtc ge datetime'${modifiedSince}'`, $skip: String(skip) });

async function collect(pages: AsyncIterable<SourcePage<LegistarCursor>>) {
  const all: SourcePage<LegistarCursor>[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

describe('legistarSource against a replay server', () => {
  let server: ReplayServer | undefined;
  const run = (cursor: LegistarCursor | null, overrides: Record<string, unknown> = {}) =>
    collect(
      legistarSource.pages({
        sourceId: 'legistar:chicago',
        config: legistarConfigSchema.parse({
          baseUrl: `${server!.url}/v1`,
          client: 'chicago',
          jurisdictionId: 'ocd-division/country:us/state:il/place:chicago',
          publisher: 'Chicago City Council',
          top: 3,
          ...overrides,
        }),
        cursor,
        http: new HttpClient({ sourceId: 'legistar:chicago', sleep: async () => undefined, timeoutMs: 5_000 }),
        now: () => NOW,
      }),
    );

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('pages from the last time seen, counting the rows read at that time (repeated rows included)', async () => {
    server = await startReplayServer([
      { path: PATH, query: from('2017-01-01T00:00:00', 0), responses: [ok(rows.slice(0, 3))] },
      { path: PATH, query: from('2017-04-20T09:15:40.087', 1), responses: [ok(rows.slice(3, 6))] },
      { path: PATH, query: from('2017-10-11T22:41:05.5', 2), responses: [ok([])] },
    ]);
    const pages = await run(null);

    expect(server.requests[0].query.get('$orderby')).toBe('MatterLastModifiedUtc,MatterId');
    expect(server.requests[0].query.get('$top')).toBe('3');
    expect(pages.map((p) => [p.fetched, p.items.length, p.parked.length])).toEqual([[3, 2, 0], [3, 1, 1], [0, 0, 0]]);
    expect(pages.map((p) => p.cursor)).toEqual([
      { modifiedSince: '2017-04-20T09:15:40.087', skip: 1 },
      { modifiedSince: '2017-10-11T22:41:05.5', skip: 2 },
      { modifiedSince: '2017-10-11T22:41:05.5', skip: 2 },
    ]);
  });

  it('resumes from its cursor, and stops on a short page', async () => {
    server = await startReplayServer([{ path: PATH, query: from('2017-04-20T09:15:40.087', 1), responses: [ok(rows.slice(4, 6))] }]);
    const pages = await run({ modifiedSince: '2017-04-20T09:15:40.087', skip: 1 });

    expect(pages).toHaveLength(1);
    expect(pages[0].items.map((i) => i.externalId)).toEqual(['33540']);
    expect(pages[0].cursor).toEqual({ modifiedSince: '2017-10-11T22:41:05.5', skip: 2 });
  });

  it('sends a token when the client needs one, and keeps it out of the label', async () => {
    server = await startReplayServer([{ path: PATH, query: { token: 's3cret' }, responses: [ok([])] }]);
    const [page] = await run(null, { token: 's3cret' });

    expect(page.label).not.toContain('s3cret');
    expect(server.requests).toHaveLength(1);
  });

  it('answers a page that ends among rows of one time by skipping further within that time', () => {
    const at = (t: string) => ({ MatterLastModifiedUtc: t });
    expect(advance({ modifiedSince: '2017-04-19T18:02:11.33', skip: 2 }, [at('2017-04-19T18:02:11.330'), at('2017-04-19T18:02:11.33')])).toEqual({
      modifiedSince: '2017-04-19T18:02:11.33',
      skip: 4,
    });
  });
});
