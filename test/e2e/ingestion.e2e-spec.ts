import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createApiKey } from '@app/db';
import { ingestionDb, ParkedRepository } from '@app/ingestion';
import { ok, startReplayServer, type ReplayServer } from '../support/replay-server';
import { ADMIN_KEY, enc, expectNothingAppended, expectProblem, sleep, startApi, type ApiHarness } from '../support/api-harness';

// Ingestion through the API, in-process (no Redis): sources listed, added and changed, a run
// asked for and followed to its proposals, parked items retried and dismissed, CourtListener
// webhook deliveries taken once, and suggested corrections accepted or dismissed. The Federal
// Register is a local replay server; everything else is the real API on real Postgres.

const FIXTURES = join(__dirname, '../fixtures/sources');
const fixture = (path: string) => JSON.parse(readFileSync(join(FIXTURES, path), 'utf8'));
const WITH_MALFORMED = fixture('federal-register/documents-with-malformed-item.json');
const NOTHING = fixture('federal-register/documents-no-results.json');
const DELIVERY = fixture('courtlistener/webhook-docket-alert.json');

// With 366-day windows from the adapter's start (2017-01-20), the first window holds every
// document served; each later window, up to today, is answered with no results.
const FIRST_WINDOW = { 'conditions[signing_date][gte]': '2017-01-20', 'conditions[signing_date][lte]': '2018-01-20' };
const SECRET = 'e2e-webhook-secret-0123456789';
const WEBHOOKS = '/api/v1/ingestion/courtlistener/webhooks';
const EO_13767 = 'federal-register:2017-02095';

let server: ReplayServer;
let api: ApiHarness;
let analystKey: string;
let curatorKey: string;
/** The curator key's caller id, as resolutions record it. */
let curatorId: string;
/** What the Federal Register answers for the first window: changed by the tests that need it. */
let served: { results: Record<string, unknown>[] } & Record<string, unknown> = WITH_MALFORMED;

beforeAll(async () => {
  server = await startReplayServer([
    { path: '/api/v1/documents.json', query: FIRST_WINDOW, responses: [() => ok(served)] },
    { path: '/api/v1/documents.json', responses: [ok(NOTHING)] },
  ]);
  api = await startApi({ FEDERAL_REGISTER_BASE_URL: `${server.url}/api/v1`, COURTLISTENER_WEBHOOK_SECRET: SECRET });
  analystKey = (await createApiKey(api.db, { role: 'analyst', name: 'e2e analyst' })).key;
  const curator = await createApiKey(api.db, { role: 'curator', name: 'e2e curator' });
  curatorKey = curator.key;
  curatorId = `key:${curator.id}`;
}, 60_000);

afterAll(async () => {
  await api?.close();
  await server?.close();
});

const sources = async () => (await api.get('/api/v1/ingestion/sources', { key: analystKey })).body.items as any[];
const source = async (id: string) => (await sources()).find((s) => s.id === id);

/** Asks for a run of the Federal Register and waits until it has finished; answers the finished run. */
async function runFederalRegister(body?: unknown): Promise<any> {
  const started = await api.post('/api/v1/ingestion/sources/federal-register/runs', body, { key: curatorKey });
  expect(started.status).toBe(202);
  expect(started.body).toMatchObject({ sourceId: 'federal-register', mode: 'in-process', run: { status: 'running', trigger: 'manual' } });
  return finished(started.body.run.id);
}

async function finished(runId: number): Promise<any> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const page = await api.get('/api/v1/ingestion/runs?source=federal-register', { key: analystKey });
    expect(page.status).toBe(200);
    const run = page.body.items.find((r: { id: number }) => r.id === runId);
    if (run && run.status !== 'running') return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still running: ${JSON.stringify(run)}`);
    await sleep(100);
  }
}

describe('sources', () => {
  it('lists the default sources to anyone, as every read (API_READ_REQUIRES_KEY makes them need a key)', async () => {
    const res = await api.get('/api/v1/ingestion/sources');
    expect(res.status).toBe(200);
    const ids = res.body.items.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['federal-register', 'doj-press', 'courtlistener', 'legistar:chicago', 'feed:nyc-mayor']));
    expect(res.body.items.find((s: { id: string }) => s.id === 'federal-register')).toMatchObject({
      type: 'federal-register',
      enabled: true,
      cursor: null,
      lastRun: null,
      nextRunAt: null,
      parkedItems: 0,
    });
  });

  it('only an admin adds or changes a source, and only a curator runs one', async () => {
    const feed = { id: 'feed:nobody', name: 'x', config: { url: 'https://example.org/feed.rss', publisher: 'x', jurisdictionId: 'ocd-division/country:us' } };
    expectProblem(await api.post('/api/v1/ingestion/sources', feed, { key: analystKey }), 403, 'AUTH.FORBIDDEN');
    expectProblem(await api.post('/api/v1/ingestion/sources', feed, { key: curatorKey }), 403, 'AUTH.FORBIDDEN');
    expectProblem(await api.patch('/api/v1/ingestion/sources/federal-register', { enabled: false }, { key: curatorKey }), 403, 'AUTH.FORBIDDEN');
    expectProblem(await api.post('/api/v1/ingestion/sources/federal-register/runs', undefined, { key: analystKey }), 403, 'AUTH.FORBIDDEN');
    expectProblem(await api.post('/api/v1/ingestion/parked/1/dismiss', undefined, { key: analystKey }), 403, 'AUTH.FORBIDDEN');
    expect(await source('feed:nobody')).toBeUndefined();
    expect((await source('federal-register')).enabled).toBe(true);
  });

  it('adds a city feed (201), refuses the same id again (409), and names each bad field (400)', async () => {
    const feed = {
      id: 'feed:oakland-mayor',
      name: 'Oakland: Office of the Mayor',
      config: { url: 'https://www.oaklandca.gov/news.rss', publisher: 'Office of the Mayor of Oakland', jurisdictionId: 'ocd-division/country:us/state:ca/place:oakland' },
      schedule: '5 8 * * 1-5',
    };
    const before = await sources();
    const bad = [
      [{ ...feed, config: { ...feed.config, url: 'not a url' } }, ['config.url']],
      [{ ...feed, config: { publisher: 'x', jurisdictionId: 'ocd-division/country:us' } }, ['config.url']],
      [{ ...feed, config: { ...feed.config, colour: 'red' } }, ['config.colour']],
      [{ ...feed, schedule: 'every morning' }, ['schedule']],
      [{ ...feed, id: 'gopher:oakland' }, ['id']],
      [{ ...feed, id: 'Feed:Oakland' }, ['id']],
      [{ ...feed, name: '' }, ['name']],
      [{ ...feed, enabled: 'yes' }, ['enabled']],
      [{ ...feed, extra: 1 }, ['extra']],
    ] as const;
    for (const [body, paths] of bad) {
      expectProblem(await api.post('/api/v1/ingestion/sources', body), 400, 'INGESTION.INVALID_SOURCE', [...paths]);
    }
    expectProblem(await api.post('/api/v1/ingestion/sources', undefined, { raw: '{"id":' }), 400, 'REQUEST.MALFORMED_JSON');
    expect(await sources()).toEqual(before);

    const added = await api.post('/api/v1/ingestion/sources', feed);
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: feed.id, type: 'feed', name: feed.name, config: feed.config, enabled: true, schedule: feed.schedule, cursor: null, lastRun: null });
    expect(await source(feed.id)).toEqual(added.body);

    const again = await api.post('/api/v1/ingestion/sources', { ...feed, name: 'Another name' });
    expectProblem(again, 409, 'INGESTION.SOURCE_EXISTS');
    expect((await source(feed.id)).name).toBe(feed.name);
  });

  it('changes a source; an unknown one is a 404 and a bad change a 400 that changes nothing', async () => {
    const patched = await api.patch('/api/v1/ingestion/sources/federal-register', { config: { windowDays: 366 }, schedule: '20 6 * * *' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: 'federal-register', config: { windowDays: 366 }, schedule: '20 6 * * *' });

    expectProblem(await api.patch('/api/v1/ingestion/sources/feed:nowhere', { enabled: false }), 404, 'INGESTION.UNKNOWN_SOURCE');
    // A configuration for a source that does not exist: still the 404, not a check against no type.
    expectProblem(await api.patch('/api/v1/ingestion/sources/bogus', { config: { url: 'x' } }), 404, 'INGESTION.UNKNOWN_SOURCE');
    const before = await source('federal-register');
    expectProblem(await api.patch('/api/v1/ingestion/sources/federal-register', { config: { windowDays: 0 } }), 400, 'INGESTION.INVALID_SOURCE', ['config.windowDays']);
    expectProblem(await api.patch('/api/v1/ingestion/sources/federal-register', { schedule: '61 * * * *' }), 400, 'INGESTION.INVALID_SOURCE', ['schedule']);
    expectProblem(await api.patch('/api/v1/ingestion/sources/federal-register', { resetCursor: false }), 400, 'INGESTION.INVALID_SOURCE', ['resetCursor']);
    expect(await source('federal-register')).toEqual(before);
  });
});

describe('runs', () => {
  it('runs a source now: 202, then the run shows its counts and its proposals wait for review', async () => {
    const run = await runFederalRegister();
    expect(run).toMatchObject({ sourceId: 'federal-register', trigger: 'manual', status: 'succeeded', error: null, fetched: 3, proposed: 2, parked: 1, failed: 0 });
    expect(run.durationMs).toEqual(expect.any(Number));

    const review = await api.get('/api/v1/actions?status=proposed&sourceSystem=federal-register');
    expect(review.status).toBe(200);
    expect(review.body.items.map((a: { id: string }) => a.id).sort()).toEqual([EO_13767, 'federal-register:2017-02102']);
    expect(review.body.items.every((a: { status: string }) => a.status === 'proposed')).toBe(true);

    const fr = await source('federal-register');
    expect(fr).toMatchObject({ lastRun: { id: run.id, status: 'succeeded' }, parkedItems: 1, cursor: expect.anything() });
  });

  it('a second run asked while one holds the source is 409 INGESTION.SOURCE_BUSY', async () => {
    const first = await api.post('/api/v1/ingestion/sources/federal-register/runs', { since: '2017-01-20' }, { key: curatorKey });
    expect(first.status).toBe(202);
    const second = await api.post('/api/v1/ingestion/sources/federal-register/runs', undefined, { key: curatorKey });
    expectProblem(second, 409, 'INGESTION.SOURCE_BUSY');
    // Read again, nothing is new: the proposals are not doubled.
    expect(await finished(first.body.run.id)).toMatchObject({ status: 'succeeded', proposed: 0, unchanged: 2, parked: 1 });
  });

  it('refuses an unknown source (404) and a bad `since` or query (400) without starting anything', async () => {
    const before = (await api.get('/api/v1/ingestion/runs', { key: analystKey })).body;
    expectProblem(await api.post('/api/v1/ingestion/sources/feed:nowhere/runs', undefined, { key: curatorKey }), 404, 'INGESTION.UNKNOWN_SOURCE');
    expectProblem(await api.post('/api/v1/ingestion/sources/federal-register/runs', { since: '2017-02-30' }, { key: curatorKey }), 400, 'REQUEST.INVALID', ['since']);
    expectProblem(await api.post('/api/v1/ingestion/sources/federal-register/runs', { since: 'yesterday' }, { key: curatorKey }), 400, 'REQUEST.INVALID', ['since']);
    expectProblem(await api.post('/api/v1/ingestion/sources/federal-register/runs', { from: '2017-01-01' }, { key: curatorKey }), 400, 'REQUEST.INVALID', ['from']);
    expect((await api.get('/api/v1/ingestion/runs', { key: analystKey })).body).toEqual(before);

    expectProblem(await api.get('/api/v1/ingestion/runs?limit=0', { key: analystKey }), 400, 'REQUEST.INVALID', ['query.limit']);
    expectProblem(await api.get('/api/v1/ingestion/runs?source=Nope', { key: analystKey }), 400, 'REQUEST.INVALID', ['query.source']);
    expectProblem(await api.get('/api/v1/ingestion/runs?cursor=bm9wZQ', { key: analystKey }), 400, 'INGESTION.INVALID_QUERY', ['query.cursor']);
    expectProblem(await api.get('/api/v1/ingestion/parked?status=lost', { key: analystKey }), 400, 'REQUEST.INVALID', ['query.status']);
  });

  it('pages runs newest first with a cursor', async () => {
    const first = await api.get('/api/v1/ingestion/runs?source=federal-register&limit=1', { key: analystKey });
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api.get(`/api/v1/ingestion/runs?source=federal-register&limit=1&cursor=${first.body.nextCursor}`, { key: analystKey });
    expect(second.body.items[0].id).toBeLessThan(first.body.items[0].id);
  });
});

describe('parked items', () => {
  it('lists the malformed item; retrying it is 409 STILL_UNREADABLE; dismissing it sets it aside for good', async () => {
    const page = await api.get('/api/v1/ingestion/parked?source=federal-register', { key: analystKey });
    expect(page.status).toBe(200);
    // Each run that read the page parked the item again (two runs so far).
    expect(page.body.items.length).toBeGreaterThanOrEqual(1);
    for (const parked of page.body.items) {
      expect(parked).toMatchObject({ sourceId: 'federal-register', stage: 'parse', status: 'parked', reason: expect.stringContaining('signing_date'), resolvedAt: null });
      expect(parked.raw).toMatchObject({ signing_date: 'January 25, 2017' });
    }
    const [item] = page.body.items;

    await expectNothingAppended(api, async () => {
      expectProblem(await api.post(`/api/v1/ingestion/parked/${item.id}/retry`, undefined, { key: curatorKey }), 409, 'INGESTION.STILL_UNREADABLE');
    });
    expect((await api.get('/api/v1/ingestion/parked?source=federal-register', { key: analystKey })).body.items).toEqual(page.body.items);

    // A reason that is not one is refused, naming it, and the item stays as it was.
    for (const reason of ['   ', 'x'.repeat(2001), 42]) {
      expectProblem(await api.post(`/api/v1/ingestion/parked/${item.id}/dismiss`, { reason }, { key: curatorKey }), 400, 'REQUEST.INVALID', ['reason']);
    }
    expectProblem(await api.post(`/api/v1/ingestion/parked/${item.id}/dismiss`, { reason: 'ok', why: 'x' }, { key: curatorKey }), 400, 'REQUEST.INVALID', ['why']);
    expect((await api.get('/api/v1/ingestion/parked?source=federal-register', { key: analystKey })).body.items).toEqual(page.body.items);

    const dismissed = await api.post(`/api/v1/ingestion/parked/${item.id}/dismiss`, { reason: '  the document is in the ledger from its corrected page  ' }, { key: curatorKey });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toMatchObject({
      id: item.id,
      status: 'dismissed',
      resolvedAt: expect.any(String),
      resolutionReason: 'the document is in the ledger from its corrected page',
      resolvedBy: curatorId,
    });
    expect((await api.get('/api/v1/ingestion/parked?source=federal-register', { key: analystKey })).body.items).toEqual(page.body.items.slice(1));
    expect((await api.get('/api/v1/ingestion/parked?source=federal-register&status=dismissed', { key: analystKey })).body.items).toEqual([dismissed.body]);

    expectProblem(await api.post(`/api/v1/ingestion/parked/${item.id}/dismiss`, undefined, { key: curatorKey }), 409, 'INGESTION.NOT_PARKED');
    expectProblem(await api.post(`/api/v1/ingestion/parked/${item.id}/retry`, undefined, { key: curatorKey }), 409, 'INGESTION.NOT_PARKED');
    expectProblem(await api.post('/api/v1/ingestion/parked/999999/retry', undefined, { key: curatorKey }), 404, 'INGESTION.UNKNOWN_PARKED');
    expectProblem(await api.post('/api/v1/ingestion/parked/999999/dismiss', undefined, { key: curatorKey }), 404, 'INGESTION.UNKNOWN_PARKED');
    expectProblem(await api.post('/api/v1/ingestion/parked/abc/dismiss', undefined, { key: curatorKey }), 400, 'REQUEST.INVALID', ['path.id']);
  });

  it('dismisses without a reason (no body, or {}) as before, still naming who did it', async () => {
    const parked = new ParkedRepository(ingestionDb(api.db));
    await parked.park('federal-register', null, [
      { stage: 'parse', raw: { document_number: 'e2e-no-body' }, reason: 'unreadable' },
      { stage: 'parse', raw: { document_number: 'e2e-empty-body' }, reason: 'unreadable' },
    ]);
    const open: { id: number; raw: { document_number?: string } }[] = (await api.get('/api/v1/ingestion/parked?source=federal-register', { key: analystKey })).body.items;
    for (const [documentNumber, body] of [['e2e-no-body', undefined], ['e2e-empty-body', {}]] as const) {
      const item = open.find((i) => i.raw.document_number === documentNumber)!;
      const dismissed = await api.post(`/api/v1/ingestion/parked/${item.id}/dismiss`, body, { key: curatorKey });
      expect(dismissed.status).toBe(200);
      expect(dismissed.body).toMatchObject({ id: item.id, status: 'dismissed', resolutionReason: null, resolvedBy: curatorId });
    }
  });
});

describe('CourtListener webhook deliveries', () => {
  beforeAll(async () => {
    // The Chicago case, known by the docket id the delivery names.
    const { config } = await source('courtlistener');
    const cases = config.cases.map((c: { court: string }) => (c.court === 'ilnd' ? { ...c, docketId: DELIVERY.payload.results[0].docket } : c));
    expect((await api.patch('/api/v1/ingestion/sources/courtlistener', { config: { ...config, cases } })).status).toBe(200);
  });

  it('a wrong secret is 404, with no API key asked for, and stores nothing', async () => {
    await expectNothingAppended(api, async () => {
      const res = await api.post(`${WEBHOOKS}/not-the-secret-at-all`, DELIVERY, { key: null, headers: { 'idempotency-key': 'wrong-secret' } });
      expectProblem(res, 404, 'INGESTION.UNKNOWN_WEBHOOK');
    });
    expect((await api.get('/api/v1/ingestion/runs?source=courtlistener', { key: analystKey })).body.items).toEqual([]);
  });

  it('stores a docket alert within a second; the same delivery again is a duplicate that appends nothing', async () => {
    const headers = { 'idempotency-key': randomUUID() };
    const t0 = Date.now();
    const res = await api.post(`${WEBHOOKS}/${SECRET}`, DELIVERY, { key: null, headers });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deliveryKey: headers['idempotency-key'], duplicate: false, mode: 'in-process' });

    // The watched docket's entry is proposed; the other docket's is parked with the reason.
    const [run] = (await api.get('/api/v1/ingestion/runs?source=courtlistener', { key: analystKey })).body.items;
    expect(run).toMatchObject({ trigger: 'webhook', status: 'succeeded', proposed: 1, parked: 1 });
    const review = await api.get('/api/v1/actions?status=proposed&sourceSystem=courtlistener');
    expect(review.body.items).toHaveLength(1);
    const parked = await api.get('/api/v1/ingestion/parked?source=courtlistener', { key: analystKey });
    expect(parked.body.items).toEqual([expect.objectContaining({ runId: run.id, stage: 'parse' })]);

    await expectNothingAppended(api, async () => {
      const again = await api.post(`${WEBHOOKS}/${SECRET}`, DELIVERY, { key: null, headers });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ deliveryKey: headers['idempotency-key'], duplicate: true, mode: 'none' });
    });
    expect((await api.get('/api/v1/ingestion/runs?source=courtlistener', { key: analystKey })).body.items).toHaveLength(1);
  });

  it('refuses a delivery that is not a JSON object, or an unusable Idempotency-Key (400)', async () => {
    await expectNothingAppended(api, async () => {
      expectProblem(await api.post(`${WEBHOOKS}/${SECRET}`, [1, 2], { key: null }), 400, 'REQUEST.INVALID');
      expectProblem(await api.post(`${WEBHOOKS}/${SECRET}`, DELIVERY, { key: null, headers: { 'idempotency-key': 'x'.repeat(201) } }), 400, 'REQUEST.INVALID', [
        'header.idempotency-key',
      ]);
    });
  });
});

describe('suggested corrections', () => {
  const titled = (title: string) => ({ ...served, results: served.results.map((d) => (d.document_number === '2017-02095' ? { ...d, title } : d)) });
  const action = async () => (await api.get(`/api/v1/actions/${enc(EO_13767)}`)).body;

  beforeAll(async () => {
    const { version } = await action();
    const published = await api.post(`/api/v1/actions/${enc(EO_13767)}/publication`, undefined, { key: curatorKey, headers: { 'if-match': `"${version}"` } });
    expect(published.status).toBe(200);
  });

  it('accepts the correction a source suggested once the action was published', async () => {
    served = titled('Border Security and Immigration Enforcement Improvements (corrected)');
    expect(await runFederalRegister({ since: '2017-01-20' })).toMatchObject({ status: 'succeeded', suggested: 1, proposed: 0 });
    const before = await action();
    expect(before).toMatchObject({
      status: 'published',
      title: 'Executive Order 13767: Border Security and Immigration Enforcement Improvements',
      suggestion: { changes: { title: 'Executive Order 13767: Border Security and Immigration Enforcement Improvements (corrected)' }, reason: 'source updated' },
    });

    await expectNothingAppended(api, async () => {
      expectProblem(await api.post(`/api/v1/actions/${enc(EO_13767)}/suggestion/accept`, undefined, { key: curatorKey }), 428, 'REQUEST.PRECONDITION_REQUIRED');
      expectProblem(await api.post(`/api/v1/actions/${enc(EO_13767)}/suggestion/accept`, undefined, { key: analystKey, headers: { 'if-match': `"${before.version}"` } }), 403, 'AUTH.FORBIDDEN');
      const stale = await api.post(`/api/v1/actions/${enc(EO_13767)}/suggestion/accept`, undefined, { key: curatorKey, headers: { 'if-match': `"${before.version - 1}"` } });
      expectProblem(stale, 409, 'POLICY.VERSION_CONFLICT');
    });

    const options = { key: curatorKey, headers: { 'if-match': `"${before.version}"`, 'idempotency-key': 'accept-13767' } };
    const accepted = await api.post(`/api/v1/actions/${enc(EO_13767)}/suggestion/accept`, undefined, options);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ version: expect.any(Number), position: expect.any(Number) });
    expect(accepted.body.version).toBeGreaterThan(before.version);
    // A retry under the same key answers as the first and appends nothing.
    await expectNothingAppended(api, async () => {
      const retry = await api.post(`/api/v1/actions/${enc(EO_13767)}/suggestion/accept`, undefined, options);
      expect([retry.status, retry.body]).toEqual([200, accepted.body]);
    });

    const after = await action();
    expect(after).toMatchObject({ version: accepted.body.version, title: 'Executive Order 13767: Border Security and Immigration Enforcement Improvements (corrected)', suggestion: null });
    const { events } = (await api.get(`/api/v1/actions/${enc(EO_13767)}/history`)).body;
    expect(events.at(-2)).toMatchObject({ type: 'ActionCorrected', data: { reason: 'accepted suggested correction: source updated' } });

    await expectNothingAppended(api, async () => {
      const none = await api.post(`/api/v1/actions/${enc(EO_13767)}/suggestion/accept`, undefined, { key: curatorKey, headers: { 'if-match': `"${after.version}"` } });
      expectProblem(none, 409, 'ACTION.NO_SUGGESTION');
    });
  });

  it('dismisses a suggested correction with a reason; the action stays as it is', async () => {
    served = titled('A title the curator does not take');
    expect(await runFederalRegister({ since: '2017-01-20' })).toMatchObject({ suggested: 1 });
    const before = await action();
    expect(before.suggestion).toMatchObject({ changes: { title: 'Executive Order 13767: A title the curator does not take' } });

    const url = `/api/v1/actions/${enc(EO_13767)}/suggestion/dismiss`;
    const ifMatch = { 'if-match': `"${before.version}"` };
    await expectNothingAppended(api, async () => {
      expectProblem(await api.post(url, {}, { key: curatorKey, headers: ifMatch }), 400, 'REQUEST.INVALID', ['reason']);
      expectProblem(await api.post(url, { reason: '' }, { key: curatorKey, headers: ifMatch }), 400, 'ACTION.INVALID', ['reason']);
    });

    const dismissed = await api.post(url, { reason: 'the Federal Register page shows a draft title' }, { key: curatorKey, headers: ifMatch });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toEqual({ version: before.version + 1, position: expect.any(Number) });
    expect(await action()).toMatchObject({ title: before.title, suggestion: null, version: before.version + 1 });

    expectProblem(await api.post(url, { reason: 'again' }, { key: curatorKey, headers: { 'if-match': `"${before.version + 1}"` } }), 409, 'ACTION.NO_SUGGESTION');
    expectProblem(await api.post(`/api/v1/actions/no-such-action/suggestion/dismiss`, { reason: 'x' }, { key: curatorKey, headers: { 'if-match': '"1"' } }), 404, 'ACTION.UNKNOWN');
  });
});

describe('the queues on bull-board (with REDIS_URL)', () => {
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  // A BullMQ prefix of its own, every key under it deleted at the end (the queues write a
  // `meta` key as soon as they are looked at).
  const prefix = `pl-api-e2e-${randomUUID().slice(0, 8)}`;
  let queued: ApiHarness;
  const inject = (url: string, authorization?: string) =>
    queued.app.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });
  const basic = (key: string) => `Basic ${Buffer.from(`admin:${key}`).toString('base64')}`;

  beforeAll(async () => {
    queued = await startApi({ REDIS_URL: redisUrl, BULLMQ_PREFIX: prefix });
  }, 60_000);

  afterAll(async () => {
    await queued?.close();
    const redis = new Redis(redisUrl);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });

  it('asks a browser for an admin key, refuses other roles, and lists a queue per source and the webhook queue', async () => {
    const none = await inject('/admin/queues');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await inject('/admin/queues', basic('not-a-key'))).statusCode).toBe(401);
    const analyst = (await createApiKey(queued.db, { role: 'analyst', name: 'board analyst' })).key;
    expect((await inject('/admin/queues', basic(analyst))).statusCode).toBe(403);
    expect((await inject('/admin/queues', `Bearer ${analyst}`)).statusCode).toBe(403);

    const page = await inject('/admin/queues', basic(ADMIN_KEY));
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    // The page's own scripts (relative to its <base href>) are served behind the same sign-in.
    const base = /<base href="([^"]+)"/.exec(page.body)?.[1];
    const src = /src="([^"]+\.js)"/.exec(page.body)?.[1];
    const script = new URL(src!, new URL(base!, 'http://localhost')).pathname;
    expect(script).toMatch(/^\/admin\/queues\/static\//);
    expect((await inject(script)).statusCode).toBe(401);
    expect((await inject(script, basic(ADMIN_KEY))).statusCode).toBe(200);
    const list = await inject('/admin/queues/api/queues', `Bearer ${ADMIN_KEY}`);
    expect(list.statusCode).toBe(200);
    const names = (JSON.parse(list.body).queues as { name: string }[]).map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['ingest-federal-register', 'ingest-feed--nyc-mayor', 'ingest-legistar--chicago', 'ingest-webhooks']));
  });

  it('takes no webhook deliveries when COURTLISTENER_WEBHOOK_SECRET is unset: 404, as for a wrong secret', async () => {
    expectProblem(await queued.post(`${WEBHOOKS}/${SECRET}`, DELIVERY, { key: null }), 404, 'INGESTION.UNKNOWN_WEBHOOK');
  });

  it('queues "run now" for the worker: 202 with the job id, the same job when asked again while it waits', async () => {
    const first = await queued.post('/api/v1/ingestion/sources/federal-register/runs');
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ sourceId: 'federal-register', mode: 'queued', jobId: expect.any(String) });
    const again = await queued.post('/api/v1/ingestion/sources/federal-register/runs');
    expect(again.body).toEqual(first.body);
  });
});

