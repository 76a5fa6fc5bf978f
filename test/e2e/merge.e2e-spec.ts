import { createApiKey } from '@app/db';
import { J, SOURCE, enc, ifMatch, expectNothingAppended, expectProblem, startApi, type ApiHarness } from '../support/api-harness';

// Merging a duplicate into its survivor over HTTP: the answer, what both actions and the
// timelines show afterwards, and every refusal (appending nothing).

let api: ApiHarness;
let analystKey: string;

const press = { url: 'https://www.oaklandca.gov/news/2017/sanctuary-city', publisher: 'City of Oakland' };
const pledge = { kind: 'defiance_pledge', actingJurisdictionId: J.oakland, affectedJurisdictionIds: [J.oakland] };

beforeAll(async () => {
  api = await startApi();
  await api.registerTree();
  analystKey = (await createApiKey(api.db, { role: 'analyst', name: 'e2e analyst' })).key;
});

afterAll(async () => {
  await api?.close();
});

const directTimeline = async (query = '') =>
  (await api.get(`/api/v1/jurisdictions/${enc(J.oakland)}/timeline?inherited=false${query}`)).body.entries.map(
    (e: { actionId: string; status: string; sourceCount: number }) => [e.actionId, e.status, e.sourceCount],
  );

describe('POST /api/v1/actions/{id}/merge', () => {
  it('merges a duplicate: 200 {version}; the duplicate is merged, the survivor carries its sources and links; the timeline shows one entry', async () => {
    const order = await api.createAction({ id: 'merge-order', kind: 'executive_order' });
    await api.createAction({ id: 'merge-survivor', ...pledge });
    await api.createAction({
      id: 'merge-duplicate',
      ...pledge,
      sources: [SOURCE, press],
      relations: [{ relation: 'responds_to', targetId: order.id }],
      proposal: { sourceSystem: 'oakland_press', externalId: '2017-01-26' },
    });

    const res = await api.post('/api/v1/actions/merge-duplicate/merge', { into: 'merge-survivor', reason: 'the same pledge, ingested' }, ifMatch(1));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ version: 2, position: expect.any(Number) });

    const duplicate = await api.get('/api/v1/actions/merge-duplicate');
    expect(duplicate.headers.etag).toBe('"2"');
    expect(duplicate.body).toMatchObject({ status: 'merged', mergedInto: 'merge-survivor', statusReason: 'the same pledge, ingested' });
    const survivor = await api.get('/api/v1/actions/merge-survivor');
    expect(survivor.headers.etag).toBe('"2"');
    expect(survivor.body).toMatchObject({
      status: 'published',
      mergedInto: null,
      sources: [SOURCE, press],
      relations: [{ relation: 'responds_to', targetId: order.id }],
    });
    expect((await api.get(`/api/v1/actions/${order.id}`)).body.incoming).toContainEqual({ relation: 'responds_to', sourceId: 'merge-survivor' });

    expect(await directTimeline()).toEqual([['merge-survivor', 'published', 2]]);
    expect(await directTimeline('&status=merged')).toEqual([['merge-duplicate', 'merged', 2]]);
    expect((await api.get('/api/v1/actions?status=proposed&sourceSystem=oakland_press')).body.items).toEqual([]);

    const histories = await Promise.all(['merge-duplicate', 'merge-survivor'].map((id) => api.get(`/api/v1/actions/${id}/history`)));
    expect(histories.map((h) => h.body.events.map((e: { type: string }) => e.type))).toEqual([
      ['ActionProposed', 'ActionMerged'],
      ['ActionRecorded', 'DuplicateAbsorbed'],
    ]);
  });

  it('needs If-Match (428), a current one (409), a curator, a valid body; refuses unknown, itself, closed and other kinds', async () => {
    await api.createAction({ id: 'merge-a', ...pledge });
    await api.createAction({ id: 'merge-b', ...pledge });
    await api.createAction({ id: 'merge-statement', ...pledge, kind: 'public_statement' });
    await api.createAction({ id: 'merge-retracted', ...pledge });
    await api.post('/api/v1/actions/merge-retracted/retraction', { reason: 'wrong city' }, ifMatch(1));
    const body = { into: 'merge-b', reason: 'duplicate' };

    await expectNothingAppended(api, async () => {
      expectProblem(await api.post('/api/v1/actions/merge-a/merge', body), 428, 'REQUEST.PRECONDITION_REQUIRED', ['header.if-match']);
      expectProblem(await api.post('/api/v1/actions/merge-a/merge', body, ifMatch(7)), 409, 'POLICY.VERSION_CONFLICT');
      expectProblem(await api.post('/api/v1/actions/merge-a/merge', body, { ...ifMatch(1), key: analystKey }), 403, 'AUTH.FORBIDDEN');
      expectProblem(await api.post('/api/v1/actions/merge-a/merge', { into: 'merge-b' }, ifMatch(1)), 400, 'REQUEST.INVALID', ['reason']);
      expectProblem(await api.post('/api/v1/actions/merge-a/merge', { ...body, why: 'x' }, ifMatch(1)), 400, 'REQUEST.INVALID', ['why']);
      expectProblem(await api.post('/api/v1/actions/merge-a/merge', { ...body, reason: ' ' }, ifMatch(1)), 400, 'ACTION.INVALID', ['reason']);
      expectProblem(await api.post('/api/v1/actions/merge-a/merge', { ...body, into: 'merge-a' }, ifMatch(1)), 400, 'ACTION.SELF_MERGE', ['into']);
      expectProblem(await api.post('/api/v1/actions/no-such-action/merge', body, ifMatch(1)), 404, 'ACTION.UNKNOWN');
      expectProblem(await api.post('/api/v1/actions/merge-a/merge', { ...body, into: 'no-such-action' }, ifMatch(1)), 422, 'ACTION.UNKNOWN', ['into']);
      expectProblem(await api.post('/api/v1/actions/merge-a/merge', { ...body, into: 'merge-retracted' }, ifMatch(1)), 409, 'ACTION.NOT_MERGEABLE');
      expectProblem(await api.post('/api/v1/actions/merge-statement/merge', body, ifMatch(1)), 409, 'ACTION.MERGE_KIND_MISMATCH');
    });

    expect((await api.post('/api/v1/actions/merge-a/merge', body, ifMatch(1))).status).toBe(200);
    await expectNothingAppended(api, async () => {
      // Merged is closed: no second merge, no correction; and the old If-Match is stale.
      const again = expectProblem(await api.post('/api/v1/actions/merge-a/merge', body, ifMatch(2)), 409, 'ACTION.NOT_MERGEABLE');
      expect(again).toMatchObject({ actionId: 'merge-a', mergedInto: 'merge-b' });
      expectProblem(await api.post('/api/v1/actions/merge-a/merge', body, ifMatch(1)), 409, 'POLICY.VERSION_CONFLICT');
      expectProblem(await api.patch('/api/v1/actions/merge-a', { changes: { title: 'x' }, reason: 'x' }, ifMatch(2)), 409, 'ACTION.NOT_CORRECTABLE');
    });
  });

  it('answers a retry under the same Idempotency-Key with the first response, merging once', async () => {
    await api.createAction({ id: 'merge-retry-a', ...pledge });
    await api.createAction({ id: 'merge-retry-b', ...pledge });
    const options = { headers: { 'if-match': '"1"', 'idempotency-key': 'merge-retry-1' } };
    const first = await api.post('/api/v1/actions/merge-retry-a/merge', { into: 'merge-retry-b', reason: 'duplicate' }, options);
    expect(first.status).toBe(200);
    await expectNothingAppended(api, async () => {
      const retry = await api.post('/api/v1/actions/merge-retry-a/merge', { into: 'merge-retry-b', reason: 'duplicate' }, options);
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
    });
  });
});

describe('GET /api/v1/actions/{id}/duplicates', () => {
  // Its own days (in 2018), so the other tests' pledges are never near enough.
  const on = (date: string) => ({ ...pledge, occurredOn: { date, precision: 'day' as const } });
  const title = 'Oakland mayor pledges to remain a sanctuary city';

  it('lists the published pledges that may be the same, best first; after the merge, none', async () => {
    await api.createAction({ id: 'dup-survivor', ...on('2018-02-01'), title });
    await api.createAction({ id: 'dup-reworded', ...on('2018-02-03'), title: 'Oakland will remain a sanctuary city, mayor pledges' });
    await api.createAction({ id: 'dup-partial', ...on('2018-02-01'), title: 'Oakland mayor pledges new housing funds' });
    await api.createAction({ id: 'dup-far', ...on('2018-03-30'), title });
    await api.createAction({ id: 'dup-statement', ...on('2018-02-01'), kind: 'public_statement', title });
    await api.createAction({
      id: 'dup-ingested',
      ...on('2018-02-02'),
      title: 'OAKLAND MAYOR PLEDGES TO REMAIN A SANCTUARY CITY',
      proposal: { sourceSystem: 'oakland_press', externalId: '2018-02-02' },
    });

    const res = await api.get('/api/v1/actions/dup-ingested/duplicates');
    expect(res.status).toBe(200);
    expect(res.body.actionId).toBe('dup-ingested');
    expect(res.body.items.map((c: { action: { id: string }; similarity: number; daysApart: number }) => [c.action.id, c.similarity, c.daysApart])).toEqual([
      ['dup-survivor', 1, 1],
      // One word more ("will"): 12 / 13.
      ['dup-reworded', 0.92, 1],
      // oakland mayor pledges remain sanctuary city / oakland mayor pledges new housing funds: 6 / 12
      ['dup-partial', 0.5, 1],
    ]);
    expect(res.body.items[0].action).toMatchObject({ id: 'dup-survivor', status: 'published', kind: 'defiance_pledge', version: 1 });
    expect((await api.get('/api/v1/actions/dup-ingested/duplicates?limit=1')).body.items.map((c: { action: { id: string } }) => c.action.id)).toEqual(['dup-survivor']);
    expect((await api.get('/api/v1/actions/dup-ingested/duplicates?days=60&limit=20')).body.items.map((c: { action: { id: string } }) => c.action.id)).toContain('dup-far');

    const merged = await api.post('/api/v1/actions/dup-reworded/merge', { into: 'dup-survivor', reason: 'the same pledge' }, ifMatch(1));
    expect(merged.status).toBe(200);
    const after = await api.get('/api/v1/actions/dup-survivor/duplicates', { key: analystKey });
    expect(after.body.items.map((c: { action: { id: string } }) => c.action.id)).toEqual(['dup-partial']);
  });

  it('404 ACTION.UNKNOWN for an unknown action; 400 naming days or limit when out of range', async () => {
    expectProblem(await api.get('/api/v1/actions/no-such-action/duplicates'), 404, 'ACTION.UNKNOWN');
    await api.createAction({ id: 'dup-bounds', ...on('2018-06-01'), title });
    expect((await api.get('/api/v1/actions/dup-bounds/duplicates?days=0&limit=20')).body).toEqual({ actionId: 'dup-bounds', items: [] });
    for (const [query, path] of [
      ['days=61', 'query.days'],
      ['days=-1', 'query.days'],
      ['days=1.5', 'query.days'],
      ['days=soon', 'query.days'],
      ['limit=0', 'query.limit'],
      ['limit=21', 'query.limit'],
      ['near=1', 'query.near'],
    ]) {
      expectProblem(await api.get(`/api/v1/actions/dup-bounds/duplicates?${query}`), 400, 'REQUEST.INVALID', [path]);
    }
  });
});
