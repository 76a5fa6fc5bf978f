import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandBus } from '@nestjs/cqrs';
import { GetActionQuery, ListActionsQuery, PublishActionCommand } from '@app/policy';
import { createPolicyTestContext, type PolicyTestContext } from '@app/policy/testing';
import { conditional, ok, startReplayServer, type ReplayResponse, type ReplayServer, type Responder } from '../../../../test/support/replay-server';
import { ingestionDb } from '../database';
import { ParkedRepository } from '../repositories/parked.repository';
import { SourceRepository } from '../repositories/source.repository';
import { RunSourceCommand } from '../commands/run-source/run-source.command';
import { RunSourceHandler } from '../commands/run-source/run-source.handler';
import { RunRepository } from '../repositories/run.repository';
import { SourceRunner } from './source-runner';

const FIXTURES = join(__dirname, '../../../../test/fixtures/sources/federal-register');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const [eo13767, eo13768] = fixture('documents-2017-01-executive-orders.json').results as Record<string, unknown>[];
const NOTHING = fixture('documents-no-results.json');

const PATH = '/api/v1/documents.json';
const JANUARY = { 'conditions[signing_date][gte]': '2017-01-20', 'conditions[signing_date][lte]': '2018-01-20' };

/** A page of documents for the replay server, with a next page when `next`. */
const page = (results: unknown[], count: number, next: boolean): ReplayResponse =>
  ok({ count, total_pages: Math.ceil(count / 2), results, ...(next ? { next_page_url: 'https://www.federalregister.gov/api/v1/documents.json?page=2' } : {}) });
const copyOf = (doc: Record<string, unknown>, n: number, overrides: Record<string, unknown> = {}) => ({
  ...doc,
  document_number: `2017-9${String(n).padStart(4, '0')}`,
  ...overrides,
});

describe('SourceRunner: the Federal Register through the pipeline, on real Postgres', () => {
  let ctx: PolicyTestContext;
  let server: ReplayServer | undefined;
  let runner: SourceRunner;
  let sourceId = '';
  let sources: SourceRepository;
  let baseUrl = 'http://127.0.0.1:9/api/v1';

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    sources = new SourceRepository(ingestionDb(ctx.store.db));
    const bus = { execute: (command: never) => ctx.proposeBatch.execute(command) } as unknown as CommandBus;
    runner = new SourceRunner(ctx.store, bus, {
      baseUrls: { get 'federal-register'() { return baseUrl; } } as Record<string, string>,
      http: { sleep: async () => undefined, minIntervalMs: 0, maxRetries: 1 },
    });
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await ctx?.close();
  });

  /** A fresh source whose windows are a year long: 2017-01-20 to 2018-01-20 holds every document served. */
  async function serve(responses: (ReplayResponse | Responder)[], pageTwo?: ReplayResponse[]) {
    await server?.close();
    server = await startReplayServer([
      ...(pageTwo ? [{ path: PATH, query: { ...JANUARY, page: '2' }, responses: pageTwo }] : []),
      { path: PATH, query: { ...JANUARY, page: '1' }, responses },
      { path: PATH, responses: [ok(NOTHING)] },
    ]);
    baseUrl = `${server.url}/api/v1`;
    sourceId = `federal-register:${ctx.newId('fr').replace(/[^a-z0-9-]/g, '-')}`;
    await sources.add({ id: sourceId, type: 'federal-register', name: 'test', config: { windowDays: 366, perPage: 2 }, enabled: true, schedule: '0 6 * * *' });
  }
  const action = (documentNumber: string) => ctx.getAction.execute(new GetActionQuery(`federal-register:${documentNumber}`));

  it('proposes each document once, with the places its text names, and a re-run appends nothing', async () => {
    const named = copyOf(eo13768, 1, { abstract: 'Sanctuary jurisdictions such as Cook County, Illinois, Richmond and Smallville, Kansas lose grants.' });
    await serve([page([eo13767, named], 2, false)]);
    const before = await ctx.eventCount();
    const first = await runner.run(sourceId, { trigger: 'cli' });

    expect(first).toMatchObject({ status: 'succeeded', fetched: 2, proposed: 2, unchanged: 0, parked: 0, failed: 0 });
    expect(await action('2017-02095')).toMatchObject({ status: 'proposed', kind: 'executive_order', occurredOn: { date: '2017-01-25', precision: 'day' } });
    const withPlaces = await action('2017-90001');
    expect(withPlaces.affectedJurisdictionIds).toEqual(['ocd-division/country:us', 'ocd-division/country:us/state:il/county:cook']);
    expect(withPlaces.proposal?.places).toEqual({
      matched: [
        { jurisdictionId: 'ocd-division/country:us', evidence: 'United States' },
        { jurisdictionId: 'ocd-division/country:us/state:il/county:cook', evidence: 'Cook County, Illinois' },
      ],
      ambiguous: [{ evidence: 'Richmond', candidates: expect.arrayContaining(['ocd-division/country:us/state:va/place:richmond', 'ocd-division/country:us/state:ca/place:richmond']) }],
      unmatched: [{ evidence: 'Smallville, Kansas' }],
    });
    const afterFirst = await ctx.eventCount();
    expect((await sources.find(sourceId))?.cursor).toEqual({ signedThrough: expect.any(String) });

    const again = await runner.run(sourceId, { trigger: 'cli', since: '2017-01-20' });
    expect(again).toMatchObject({ status: 'succeeded', proposed: 0, unchanged: 2, corrected: 0 });
    expect(await ctx.eventCount()).toBe(afterFirst);
    expect(afterFirst - before).toBeGreaterThanOrEqual(2);
  });

  it('parks a malformed document with its reason while the rest of the page is proposed', async () => {
    const good = copyOf(eo13767, 2);
    const bad = { ...copyOf(eo13767, 3), signing_date: 'last Tuesday', html_url: 'not a url' };
    await serve([page([good, bad], 2, false)]);
    const run = await runner.run(sourceId, { trigger: 'cli' });

    expect(run).toMatchObject({ proposed: 1, parked: 1 });
    const [parked] = await new ParkedRepository(ingestionDb(ctx.store.db)).list({ sourceId, status: 'parked', take: 10 });
    expect(parked).toMatchObject({ stage: 'parse', externalId: '2017-90003', raw: bad, reason: expect.stringMatching(/signing_date.*html_url|html_url.*signing_date/s), runId: run.id });
    await expect(action('2017-90003')).rejects.toMatchObject({ code: 'ACTION.UNKNOWN' });
  });

  it('corrects a proposal whose document changed upstream, and suggests the change once it is published', async () => {
    const doc = copyOf(eo13768, 4);
    let title = 'Enhancing Public Safety';
    await serve([() => page([{ ...doc, title }], 1, false)]);
    await runner.run(sourceId, { trigger: 'cli' });

    title = 'Enhancing Public Safety in the Interior of the United States';
    expect(await runner.run(sourceId, { trigger: 'cli', since: '2017-01-20' })).toMatchObject({ corrected: 1, proposed: 0 });
    expect(await action('2017-90004')).toMatchObject({ status: 'proposed', title: `Executive Order 13768: ${title}` });

    await ctx.publishAction.execute(new PublishActionCommand({ actionId: 'federal-register:2017-90004' }));
    title = 'Enhancing Public Safety (as corrected)';
    expect(await runner.run(sourceId, { trigger: 'cli', since: '2017-01-20' })).toMatchObject({ suggested: 1 });
    expect(await action('2017-90004')).toMatchObject({
      status: 'published',
      title: 'Executive Order 13768: Enhancing Public Safety in the Interior of the United States',
      suggestion: { changes: { title: `Executive Order 13768: ${title}` }, reason: 'source updated' },
    });
  });

  it('resumes after a run that failed mid-way: nothing lost, nothing doubled', async () => {
    const docs = [1, 2, 3].map((n) => copyOf(eo13767, 10 + n));
    const failing: ReplayResponse = { status: 500, body: { status: 500, message: 'Internal Server Error' } };
    await serve([page(docs.slice(0, 2), 3, true)], [failing, failing, page(docs.slice(2), 3, false)]);
    const before = await ctx.eventCount();

    await expect(runner.run(sourceId, { trigger: 'cli' })).rejects.toMatchObject({ code: 'SOURCE.UNAVAILABLE' });
    expect(await ctx.eventCount()).toBe(before + 2);
    expect((await sources.find(sourceId))?.cursor).toMatchObject({ page: 1 });

    const resumed = await runner.run(sourceId, { trigger: 'cli' });
    expect(resumed).toMatchObject({ status: 'succeeded', proposed: 1 });
    expect(await ctx.eventCount()).toBe(before + 3);
    // Page 2 failed twice (a retry each run), then was read once.
    expect(server!.requests.filter((r) => r.query.get('page') === '2')).toHaveLength(3);
  });

  it('runs a source once at a time: a run asked while another holds it is refused', async () => {
    await serve([ok(fixture('documents-2017-01-executive-orders.json'))]);
    let second: Promise<unknown> | undefined;
    const first = await runner.run(sourceId, {
      trigger: 'cli',
      onStart: () => void (second = runner.run(sourceId, { trigger: 'manual' }).catch((err: unknown) => err)),
    });
    expect(first.status).toBe('succeeded');
    expect(await second).toMatchObject({ code: 'INGESTION.SOURCE_BUSY' });
    // Once the first is done, the source is free again.
    expect(await runner.run(sourceId, { trigger: 'cli', since: '2017-01-20' })).toMatchObject({ status: 'succeeded', unchanged: 2 });
  });

  it('stops an in-process run after a stored page when the process shuts down; the next run resumes', async () => {
    await serve([ok(fixture('documents-2017-01-executive-orders.json'))]);
    const handler = new RunSourceHandler(ctx.store, runner);
    const started = await handler.execute(new RunSourceCommand(sourceId, 'manual'));
    expect(started).toMatchObject({ mode: 'in-process', run: { status: 'running' } });
    await handler.onApplicationShutdown();

    const runs = await new RunRepository(ingestionDb(ctx.store.db)).list({ sourceId, take: 5 });
    expect(runs[0]).toMatchObject({ status: 'failed', pages: 1, error: expect.stringMatching(/shutting down/) });
    // The source is free again, and the next run goes on from the stored page.
    expect(await runner.run(sourceId, { trigger: 'cli' })).toMatchObject({ status: 'succeeded' });
  });
});

describe('SourceRunner: a city press feed through the pipeline, on real Postgres', () => {
  let ctx: PolicyTestContext;
  let server: ReplayServer;
  let runner: SourceRunner;
  const FEED = readFileSync(join(__dirname, '../../../../test/fixtures/sources/feed/nyc-mayor-rss.xml'), 'utf8');
  const NYC = 'ocd-division/country:us/state:ny/place:new_york';

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    // The feed answers with an ETag, and with 304 when it is sent back.
    server = await startReplayServer([
      { path: '/news.rss', responses: [conditional('"feed-1"', { status: 200, headers: { 'content-type': 'application/rss+xml' }, body: FEED })] },
    ]);
    const bus = { execute: (command: never) => ctx.proposeBatch.execute(command) } as unknown as CommandBus;
    runner = new SourceRunner(ctx.store, bus, { baseUrls: {}, http: { sleep: async () => undefined, minIntervalMs: 0, maxRetries: 0 } });
    await new SourceRepository(ingestionDb(ctx.store.db)).add({
      id: 'feed:nyc-mayor',
      type: 'feed',
      name: 'New York City: Office of the Mayor',
      config: { url: `${server.url}/news.rss`, publisher: 'Office of the Mayor of New York City', jurisdictionId: NYC },
      enabled: true,
      schedule: '0 7 * * *',
    });
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await ctx?.close();
  });

  it('proposes each press release once (a repeated item once), then an unchanged feed costs a 304 and appends nothing', async () => {
    const before = await ctx.eventCount();
    const first = await runner.run('feed:nyc-mayor', { trigger: 'cli' });
    expect(first).toMatchObject({ status: 'succeeded', pages: 1, fetched: 5 });
    expect(first.proposed + first.parked).toBe(4);
    const { items } = await ctx.listActions.execute(new ListActionsQuery({ sourceSystem: 'feed:nyc-mayor', statuses: ['proposed'] }));
    expect(items).toHaveLength(first.proposed);
    expect(items.every((a) => a.actingJurisdictionId === NYC)).toBe(true);
    expect(items.map((a) => a.kind)).toContain('executive_order');
    const afterFirst = await ctx.eventCount();
    expect(afterFirst - before).toBeGreaterThanOrEqual(first.proposed);

    const second = await runner.run('feed:nyc-mayor', { trigger: 'cli' });
    expect(second).toMatchObject({ status: 'succeeded', pages: 1, fetched: 0, proposed: 0 });
    expect(server.requests.at(-1)?.headers['if-none-match']).toBe('"feed-1"');
    expect(await ctx.eventCount()).toBe(afterFirst);
  });
});
