import { J, SOURCE, enc, expectProblem, ifMatch, sleep, startApi, type ApiHarness } from '../support/api-harness';

// What changed on a timeline between two instants of the ledger: added, removed (and why),
// changed field by field; and each bad parameter's problem.

let api: ApiHarness;
let since: string;
let until: string;

const day = (date: string) => ({ date, precision: 'day' as const });
const path = (id: string, query: string) => `/api/v1/jurisdictions/${enc(id)}/timeline/changes?${query}`;

/** An instant between two writes: the server's clock is this machine's. */
async function instant(): Promise<string> {
  await sleep(15);
  const at = new Date().toISOString();
  await sleep(15);
  return at;
}

async function write(res: Promise<{ status: number; text: string }>): Promise<void> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${r.status} ${r.text}`);
}

beforeAll(async () => {
  api = await startApi();
  await api.registerTree();
  const county = { actingJurisdictionId: J.santaClara, affectedJurisdictionIds: [J.santaClara] };
  await api.createAction({ id: 'eo-13768', kind: 'executive_order', occurredOn: day('2017-01-25'), actingJurisdictionId: J.us, affectedJurisdictionIds: [J.us] });
  await api.createAction({ id: 'county-suit', kind: 'lawsuit_filing', occurredOn: day('2017-02-03'), ...county });
  await api.createAction({ id: 'ca-grants', kind: 'grant_condition', title: 'Grant conditions', occurredOn: day('2017-03-27'), actingJurisdictionId: J.us, affectedJurisdictionIds: [J.ca] });
  await api.createAction({ id: 'county-statement', kind: 'public_statement', title: 'County statement', occurredOn: day('2017-04-01'), ...county });
  await api.createAction({ id: 'county-statement-copy', kind: 'public_statement', title: 'County statement (copy)', occurredOn: day('2017-04-01'), ...county, sources: [{ ...SOURCE, url: 'https://example.org/copy' }] });
  await api.createAction({ id: 'letter', kind: 'agency_directive', occurredOn: day('2017-04-21'), actingJurisdictionId: J.us, affectedJurisdictionIds: [J.santaClara] });
  since = await instant();

  await api.createAction({ id: 'ruling', kind: 'court_ruling', occurredOn: day('2017-04-25'), actingJurisdictionId: J.us, affectedJurisdictionIds: [J.santaClara] });
  await write(api.patch('/api/v1/actions/ca-grants', { changes: { title: 'Byrne JAG grant conditions', occurredOn: day('2017-07-25') }, reason: 'checked' }, ifMatch(1)));
  await write(api.post('/api/v1/actions/county-suit/retraction', { reason: 'never filed' }, ifMatch(1)));
  await write(api.post('/api/v1/actions/county-statement-copy/merge', { into: 'county-statement', reason: 'same statement' }, ifMatch(1)));
  await write(api.patch('/api/v1/actions/letter', { changes: { affectedJurisdictionIds: [J.alameda] }, reason: 'wrong county' }, ifMatch(1)));
  await write(api.post('/api/v1/actions/county-statement/links', { relation: 'responds_to', targetId: 'eo-13768' }));
  until = await instant();
  await api.createAction({ id: 'later', kind: 'court_ruling', occurredOn: day('2017-05-01'), actingJurisdictionId: J.us, affectedJurisdictionIds: [J.santaClara] });
});

afterAll(async () => {
  await api?.close();
});

describe('GET /api/v1/jurisdictions/{id}/timeline/changes', () => {
  it('lists added, removed (with why) and changed entries between the two instants it names', async () => {
    const res = await api.get(path(J.sanJose, `since=${since}&until=${until}`));
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body).toMatchObject({ jurisdictionId: J.sanJose, since, until });
    // San José sees its county's timeline through Santa Clara County.
    expect(body.added.map((e: any) => [e.actionId, e.inherited, e.via])).toEqual([['ruling', true, J.santaClara]]);
    expect(body.removed.map((r: any) => [r.entry.actionId, r.reason, r.statusReason, r.mergedInto])).toEqual([
      ['county-suit', 'retracted', 'never filed', null],
      ['county-statement-copy', 'merged', 'same statement', 'county-statement'],
      ['letter', 'no_longer_reaching', null, null],
    ]);
    expect(body.changed.map((c: any) => [c.entry.actionId, c.changes.map((f: any) => f.field)])).toEqual([
      ['county-statement', ['relations', 'sourceCount']],
      ['ca-grants', ['title', 'occurredOn']],
    ]);
    expect(body.changed[1].changes[0]).toEqual({ field: 'title', before: 'Grant conditions', after: 'Byrne JAG grant conditions' });
    expect(body.changed[0].changes[0]).toEqual({ field: 'relations', before: [], after: [{ relation: 'responds_to', targetId: 'eo-13768' }] });
  });

  it('compares with now when until is absent', async () => {
    const res = await api.get(path(J.santaClara, `since=${encodeURIComponent(until)}`));
    expect(res.status).toBe(200);
    expect(res.body.added.map((e: any) => e.actionId)).toEqual(['later']);
    expect(Date.parse(res.body.until)).toBeGreaterThan(Date.parse(until));
  });

  it('accepts an instant with an offset and answers it in UTC', async () => {
    const res = await api.get(path(J.santaClara, `since=${encodeURIComponent('2017-01-01T00:00:00+02:00')}&until=${encodeURIComponent('2017-01-02T00:00:00Z')}`));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ jurisdictionId: J.santaClara, since: '2016-12-31T22:00:00.000Z', until: '2017-01-02T00:00:00.000Z', added: [], removed: [], changed: [] });
  });
});

describe('bad parameters', () => {
  const bad = async (query: string, errorPath: string, message?: RegExp) => {
    const problem = expectProblem(await api.get(path(J.santaClara, query)), 400, 'REQUEST.INVALID', [errorPath]);
    if (message) expect(problem.errors.find((e: any) => e.path === errorPath).message).toMatch(message);
  };

  it('since: missing, not an instant, later than until or in the future', async () => {
    await bad('', 'query.since');
    await bad('since=yesterday', 'query.since', /ISO 8601 instant/);
    await bad('since=2017-03-28', 'query.since', /ISO 8601 instant/);
    await bad(`since=${until}&until=${since}`, 'query.since', /not be later than until/);
    await bad('since=2999-01-01T00:00:00Z', 'query.since', /future/);
  });

  it('until: not an instant; unknown parameters', async () => {
    await bad(`since=${since}&until=now`, 'query.until', /ISO 8601 instant/);
    await bad(`since=${since}&asOf=${since}`, 'query.asOf');
  });

  it('a malformed id is a 400, an unregistered one a 404', async () => {
    expectProblem(await api.get(`/api/v1/jurisdictions/garbage/timeline/changes?since=${since}`), 400, 'JURISDICTION.INVALID_ID', ['path.id']);
    expectProblem(await api.get(path('ocd-division/country:us/state:ca/place:nowhere', `since=${since}`)), 404, 'JURISDICTION.UNKNOWN');
  });
});
