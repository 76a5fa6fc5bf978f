import { createApiKey } from '@app/db';
import {
  ADMIN_KEY,
  J,
  TREE,
  actionBody,
  caughtUpFeed,
  enc,
  expectNothingAppended,
  expectProblem,
  startApi,
  type ApiHarness,
} from '../support/api-harness';

// Jurisdictions (register, directory, detail), API keys and roles, health and readiness.

let api: ApiHarness;
let analystKey: string;
let curatorKey: string;

beforeAll(async () => {
  api = await startApi();
  await api.registerTree();
  analystKey = (await createApiKey(api.db, { role: 'analyst', name: 'e2e analyst' })).key;
  curatorKey = (await createApiKey(api.db, { role: 'curator', name: 'e2e curator' })).key;
});

afterAll(async () => {
  await api?.close();
});

describe('POST /api/v1/jurisdictions', () => {
  it('registers a jurisdiction: 201 {id, version} and one JurisdictionRegistered event', async () => {
    const id = 'ocd-division/country:us/state:ny/place:syracuse';
    const before = await api.eventCount();
    const res = await api.post('/api/v1/jurisdictions', { id, name: 'Syracuse city', level: 'municipal' }, { key: curatorKey });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id, version: 1, position: expect.any(Number) });
    expect(await api.eventCount()).toBe(before + 1);

    const got = await api.get(`/api/v1/jurisdictions/${enc(id)}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id, name: 'Syracuse city', level: 'municipal', parentId: J.ny, ancestors: [J.ny, J.us] });
  });

  it('keeps an explicit parent (a place inside a county)', async () => {
    const res = await api.get(`/api/v1/jurisdictions/${enc(J.sanJose)}`);
    expect(res.body).toMatchObject({ parentId: J.santaClara, ancestors: [J.santaClara, J.ca, J.us], childCount: 0 });
    expect((await api.get(`/api/v1/jurisdictions/${enc(J.santaClara)}`)).body.childCount).toBe(1);
  });

  it('409 JURISDICTION.ALREADY_EXISTS for an id already registered, appending nothing', async () => {
    await expectNothingAppended(api, async () => {
      const res = await api.post('/api/v1/jurisdictions', { id: J.ca, name: 'California again', level: 'state' });
      expectProblem(res, 409, 'JURISDICTION.ALREADY_EXISTS');
    });
  });

  it('a retry under the same Idempotency-Key answers as the first, appending nothing more; another body is 422', async () => {
    const body = { id: 'ocd-division/country:us/state:vt', name: 'Vermont', level: 'state' };
    const headers = { 'idempotency-key': 'register-vt-1' };
    const first = await api.post('/api/v1/jurisdictions', body, { headers });
    expect(first.status).toBe(201);
    await expectNothingAppended(api, async () => {
      const retry = await api.post('/api/v1/jurisdictions', body, { headers });
      expect({ status: retry.status, body: retry.body }).toEqual({ status: 201, body: first.body });
      const other = await api.post('/api/v1/jurisdictions', { ...body, name: 'Vermont state' }, { headers });
      expectProblem(other, 422, 'EVENT_STORE.IDEMPOTENCY_KEY_REUSED', ['header.idempotency-key']);
      // Without the key, the same body is a second registration: 409.
      expectProblem(await api.post('/api/v1/jurisdictions', body), 409, 'JURISDICTION.ALREADY_EXISTS');
    });
  });

  it('the same Idempotency-Key from another API key is that caller\'s own request', async () => {
    const headers = { 'idempotency-key': 'register-shared-1' };
    const nh = { id: 'ocd-division/country:us/state:nh', name: 'New Hampshire', level: 'state' };
    const me = { id: 'ocd-division/country:us/state:me', name: 'Maine', level: 'state' };
    const first = await api.post('/api/v1/jurisdictions', nh, { headers });
    const second = await api.post('/api/v1/jurisdictions', me, { headers, key: curatorKey });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect((await api.get(`/api/v1/jurisdictions/${enc(me.id)}`)).body.name).toBe('Maine');
    await expectNothingAppended(api, async () => {
      const retry = await api.post('/api/v1/jurisdictions', me, { headers, key: curatorKey });
      expect({ status: retry.status, body: retry.body }).toEqual({ status: 201, body: second.body });
    });
  });

  it.each([
    ['upper case', 'ocd-division/country:us/state:CA'],
    ['no prefix', 'country:us/state:zz'],
    ['garbage', 'not an id'],
  ])('400 JURISDICTION.INVALID_ID for an invalid OCD id (%s), appending nothing', async (_why, id) => {
    await expectNothingAppended(api, async () => {
      const res = await api.post('/api/v1/jurisdictions', { id, name: 'X', level: 'state' });
      expectProblem(res, 400, 'JURISDICTION.INVALID_ID', ['id']);
    });
  });

  it('400 REQUEST.INVALID for an invalid parentId or level, naming the field', async () => {
    await expectNothingAppended(api, async () => {
      const badParent = await api.post('/api/v1/jurisdictions', {
        id: 'ocd-division/country:us/state:tx',
        name: 'Texas',
        level: 'state',
        parentId: 'Not/An/Id',
      });
      expectProblem(badParent, 400, 'REQUEST.INVALID', ['parentId']);
      const badLevel = await api.post('/api/v1/jurisdictions', { id: 'ocd-division/country:us/state:tx', name: 'Texas', level: 'galactic' });
      expectProblem(badLevel, 400, 'REQUEST.INVALID', ['level']);
      const missing = await api.post('/api/v1/jurisdictions', { id: 'ocd-division/country:us/state:tx' });
      expectProblem(missing, 400, 'REQUEST.INVALID', ['name', 'level']);
    });
  });

  it('422 JURISDICTION.UNKNOWN when the parent is not registered (an unknown reference in a valid body)', async () => {
    await expectNothingAppended(api, async () => {
      const implicit = await api.post('/api/v1/jurisdictions', {
        id: 'ocd-division/country:us/state:tx/county:travis',
        name: 'Travis County',
        level: 'county',
      });
      expectProblem(implicit, 422, 'JURISDICTION.UNKNOWN', ['parentId']);
      const explicit = await api.post('/api/v1/jurisdictions', {
        id: 'ocd-division/country:us/state:ca/place:fremont',
        name: 'Fremont city',
        level: 'municipal',
        parentId: 'ocd-division/country:us/state:ca/county:nowhere',
      });
      expectProblem(explicit, 422, 'JURISDICTION.UNKNOWN', ['parentId']);
    });
  });

  it('400 JURISDICTION.INVALID_PARENT for a parent that can never be one (another country)', async () => {
    await expectNothingAppended(api, async () => {
      const res = await api.post('/api/v1/jurisdictions', {
        id: 'ocd-division/country:us/state:ca/place:fremont',
        name: 'Fremont city',
        level: 'municipal',
        parentId: 'ocd-division/country:ca',
      });
      expectProblem(res, 400, 'JURISDICTION.INVALID_PARENT', ['parentId']);
    });
  });

  it('400 REQUEST.MALFORMED_JSON for malformed JSON and for an empty JSON body, appending nothing', async () => {
    await expectNothingAppended(api, async () => {
      expectProblem(await api.post('/api/v1/jurisdictions', undefined, { raw: '{"id": "ocd-division/country:us",' }), 400, 'REQUEST.MALFORMED_JSON', ['body']);
      expectProblem(await api.post('/api/v1/jurisdictions', undefined, { raw: '' }), 400, 'REQUEST.MALFORMED_JSON', ['body']);
    });
  });

  it('400 REQUEST.INVALID for an unknown field, naming it', async () => {
    await expectNothingAppended(api, async () => {
      const res = await api.post('/api/v1/jurisdictions', {
        id: 'ocd-division/country:us/state:tx',
        name: 'Texas',
        level: 'state',
        population: 30_000_000,
      });
      expectProblem(res, 400, 'REQUEST.INVALID', ['population']);
    });
  });

  it('413 REQUEST.TOO_LARGE for a body over 1 MB, appending nothing', async () => {
    await expectNothingAppended(api, async () => {
      const res = await api.post('/api/v1/jurisdictions', { id: 'ocd-division/country:us/state:tx', name: 'x'.repeat(1_100_000), level: 'state' });
      expectProblem(res, 413, 'REQUEST.TOO_LARGE', ['body']);
    });
  });
});

describe('API keys and roles', () => {
  const body = { id: 'ocd-division/country:us/state:wa', name: 'Washington', level: 'state' };

  it('401 AUTH.UNAUTHORIZED without a key, with a wrong key and with a malformed header', async () => {
    await expectNothingAppended(api, async () => {
      expectProblem(await api.post('/api/v1/jurisdictions', body, { key: null }), 401, 'AUTH.UNAUTHORIZED', ['header.authorization']);
      expectProblem(await api.post('/api/v1/jurisdictions', body, { key: 'pl_not-a-real-key-at-all' }), 401, 'AUTH.UNAUTHORIZED');
      expectProblem(
        await api.post('/api/v1/jurisdictions', body, { key: null, headers: { authorization: `Basic ${ADMIN_KEY}` } }),
        401,
        'AUTH.UNAUTHORIZED',
      );
      expectProblem(await api.post('/api/v1/actions', actionBody(), { key: null }), 401, 'AUTH.UNAUTHORIZED');
      expectProblem(await api.post('/api/v1/actions', actionBody(), { key: `${ADMIN_KEY}x` }), 401, 'AUTH.UNAUTHORIZED');
    });
  });

  it('403 AUTH.FORBIDDEN for an analyst key on a write (jurisdiction and action)', async () => {
    await expectNothingAppended(api, async () => {
      expectProblem(await api.post('/api/v1/jurisdictions', body, { key: analystKey }), 403, 'AUTH.FORBIDDEN');
      expectProblem(await api.post('/api/v1/actions', actionBody(), { key: analystKey }), 403, 'AUTH.FORBIDDEN');
    });
  });

  it('reads are public by default; any valid key may read', async () => {
    expect((await api.get('/api/v1/jurisdictions', { key: null })).status).toBe(200);
    expect((await api.get('/api/v1/jurisdictions', { key: analystKey })).status).toBe(200);
  });

  it('records who wrote an event: the key id in the metadata', async () => {
    const res = await api.post('/api/v1/jurisdictions', body, { key: curatorKey });
    expect(res.status).toBe(201);
    const feed = await caughtUpFeed(api);
    const event = feed.find((e: { streamId: string }) => e.streamId === `jurisdiction-${body.id}`);
    expect(event.metadata.actor).toMatch(/^key:/);
  });
});

describe('/api/v1/keys (admin)', () => {
  it('an admin creates a key (shown once), lists keys without it, and revokes it; it then stops working', async () => {
    const created = await api.post('/api/v1/keys', { role: 'curator', name: 'newsroom bot' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), key: expect.stringMatching(/^pl_/), role: 'curator', name: 'newsroom bot', expiresAt: null });
    const { id, key } = created.body;
    const body = { id: 'ocd-division/country:us/state:or', name: 'Oregon', level: 'state' };
    expect((await api.post('/api/v1/jurisdictions', body, { key })).status).toBe(201);

    const admin = { key: ADMIN_KEY };
    const listed = await api.get('/api/v1/keys', admin);
    expect(listed.body.items).toContainEqual(expect.objectContaining({ id, role: 'curator', name: 'newsroom bot', revokedAt: null }));
    expect(listed.text).not.toContain(key);

    expect((await api.request('DELETE', `/api/v1/keys/${id}`, undefined, admin)).status).toBe(204);
    expectProblem(await api.post('/api/v1/jurisdictions', { ...body, id: 'ocd-division/country:us/state:id' }, { key }), 401, 'AUTH.UNAUTHORIZED');
    expectProblem(await api.request('DELETE', `/api/v1/keys/${id}`, undefined, admin), 404, 'KEY.UNKNOWN');
    expectProblem(await api.request('DELETE', '/api/v1/keys/not-a-uuid', undefined, admin), 404, 'KEY.UNKNOWN');
  });

  it('only admins: 401 without a key, 403 for curators and analysts; bad bodies are 400 naming the field', async () => {
    expectProblem(await api.post('/api/v1/keys', { role: 'admin' }, { key: null }), 401, 'AUTH.UNAUTHORIZED');
    expectProblem(await api.post('/api/v1/keys', { role: 'admin' }, { key: curatorKey }), 403, 'AUTH.FORBIDDEN');
    expectProblem(await api.get('/api/v1/keys', { key: analystKey }), 403, 'AUTH.FORBIDDEN');
    expectProblem(await api.get('/api/v1/keys'), 401, 'AUTH.UNAUTHORIZED');
    expectProblem(await api.post('/api/v1/keys', { role: 'wizard' }), 400, 'REQUEST.INVALID', ['role']);
    expectProblem(await api.post('/api/v1/keys', { role: 'analyst', scope: 'all' }), 400, 'REQUEST.INVALID', ['scope']);
  });
});

describe('GET /api/v1/keys/current', () => {
  it('answers who the key is (id, role, name) for any role; the id is the actor its writes record', async () => {
    expect((await api.get('/api/v1/keys/current', { key: ADMIN_KEY })).body).toEqual({ id: 'env:API_ADMIN_KEY', role: 'admin', name: 'API_ADMIN_KEY' });
    const analyst = await api.get('/api/v1/keys/current', { key: analystKey });
    expect(analyst.status).toBe(200);
    expect(analyst.body).toEqual({ id: expect.stringMatching(/^key:/), role: 'analyst', name: 'e2e analyst' });
    const listed = await api.get('/api/v1/keys', { key: ADMIN_KEY });
    expect(listed.body.items).toContainEqual(expect.objectContaining({ id: analyst.body.id.replace(/^key:/, ''), name: 'e2e analyst' }));

    const unnamed = await api.post('/api/v1/keys', { role: 'curator' });
    expect((await api.get('/api/v1/keys/current', { key: unnamed.body.key })).body).toEqual({ id: `key:${unnamed.body.id}`, role: 'curator', name: null });
    const body = { id: 'ocd-division/country:us/state:nv', name: 'Nevada', level: 'state' };
    expect((await api.post('/api/v1/jurisdictions', body, { key: unnamed.body.key })).status).toBe(201);
    const event = (await caughtUpFeed(api)).find((e: { streamId: string }) => e.streamId === `jurisdiction-${body.id}`);
    expect(event.metadata.actor).toBe(`key:${unnamed.body.id}`);
  });

  it('needs a valid key even while reads are open: 401 without one, with a wrong one and with a revoked one', async () => {
    expect(api.config.API_READ_REQUIRES_KEY).toBeFalsy();
    expectProblem(await api.get('/api/v1/keys/current', { key: null }), 401, 'AUTH.UNAUTHORIZED', ['header.authorization']);
    expectProblem(await api.get('/api/v1/keys/current', { key: 'pl_not-a-real-key-at-all' }), 401, 'AUTH.UNAUTHORIZED');
    const { id, key } = (await api.post('/api/v1/keys', { role: 'analyst', name: 'soon revoked' })).body;
    expect((await api.get('/api/v1/keys/current', { key })).status).toBe(200);
    expect((await api.request('DELETE', `/api/v1/keys/${id}`, undefined, { key: ADMIN_KEY })).status).toBe(204);
    expectProblem(await api.get('/api/v1/keys/current', { key }), 401, 'AUTH.UNAUTHORIZED');
  });
});

describe('GET /api/v1/jurisdictions', () => {
  const SF_COUNTY = 'ocd-division/country:us/state:ca/county:san_francisco';
  const SF = 'ocd-division/country:us/state:ca/place:san_francisco';
  const SSF = 'ocd-division/country:us/state:ca/place:south_san_francisco';

  beforeAll(async () => {
    for (const [id, name] of [[SSF, 'South San Francisco city'], [SF_COUNTY, 'San Francisco County'], [SF, 'San Francisco city']]) {
      expect((await api.post('/api/v1/jurisdictions', { id, name, level: id === SF_COUNTY ? 'county' : 'municipal' })).status).toBe(201);
    }
  });

  it('lists the directory, filtered by q and level, each entry with its state and the actions reaching it', async () => {
    const all = await api.get('/api/v1/jurisdictions?limit=500');
    expect(all.status).toBe(200);
    const ids = all.body.items.map((j: { id: string }) => j.id);
    expect(ids).toEqual(expect.arrayContaining(TREE.map((t) => t.id)));

    const counties = await api.get('/api/v1/jurisdictions?level=county');
    expect(counties.body.items.map((j: { id: string }) => j.id)).toEqual([J.alameda, SF_COUNTY, J.santaClara]);

    const q = await api.get(`/api/v1/jurisdictions?q=${encodeURIComponent('clara')}`);
    expect(q.body.items).toEqual([
      { id: J.santaClara, name: 'Santa Clara County', displayName: 'Santa Clara County, CA', level: 'county', parentId: J.ca, actionCount: expect.any(Number) },
    ]);

    // LIKE wildcards are matched literally.
    expect((await api.get('/api/v1/jurisdictions?q=%25')).body.items).toEqual([]);
  });

  it('ranks the whole name first, then names starting with it, then names holding it; a state after the name narrows', async () => {
    const ids = async (q: string) =>
      (await api.get(`/api/v1/jurisdictions?q=${encodeURIComponent(q)}`)).body.items.map((j: { id: string }) => j.id);
    expect(await ids('san francisco')).toEqual([SF, SF_COUNTY, SSF]);
    expect(await ids('san francisco, ca')).toEqual([SF, SF_COUNTY, SSF]);
    expect(await ids('San Francisco NY')).toEqual([]);
    expect(await ids('new york')).toEqual([J.newYork, J.ny]);
    expect(await ids('NYC')).toEqual([J.newYork]);
    const sf = (await api.get(`/api/v1/jurisdictions?q=${encodeURIComponent('san francisco')}`)).body.items[0];
    expect(sf).toMatchObject({ name: 'San Francisco city', displayName: 'San Francisco, CA' });
  });

  it('counts the published actions that reach each entry: its own, its twin\'s and inherited', async () => {
    const count = async (id: string) =>
      (await api.get(`/api/v1/jurisdictions?limit=500`)).body.items.find((j: { id: string }) => j.id === id).actionCount as number;
    const [sf, ssf, us] = [await count(SF), await count(SSF), await count(J.us)];
    await api.createAction({ id: 'sf-suit', kind: 'lawsuit_filing', actingJurisdictionId: SF_COUNTY, affectedJurisdictionIds: [SF_COUNTY] });
    expect(await count(SF)).toBe(sf + 1);
    expect(await count(SF_COUNTY)).toBe(sf + 1);
    expect(await count(SSF)).toBe(ssf);
    expect(await count(J.us)).toBe(us);
  });

  it('GET /api/v1/jurisdictions/{id} names a consolidated city-county\'s twin, and no twin for others', async () => {
    expect((await api.get(`/api/v1/jurisdictions/${enc(SF)}`)).body).toMatchObject({
      displayName: 'San Francisco, CA',
      consolidatedWith: { id: SF_COUNTY, name: 'San Francisco County', displayName: 'San Francisco County, CA', level: 'county', parentId: J.ca },
    });
    expect((await api.get(`/api/v1/jurisdictions/${enc(SF_COUNTY)}`)).body.consolidatedWith).toMatchObject({ id: SF });
    expect((await api.get(`/api/v1/jurisdictions/${enc(SSF)}`)).body.consolidatedWith).toBeNull();
  });

  it("lists a state's counties and places by parentId, ranked and paged alike", async () => {
    const children = (await api.get(`/api/v1/jurisdictions?parentId=${enc(J.ca)}`)).body.items.map((j: { id: string }) => j.id);
    // Cities by name, then counties by name (San José and Oakland sit under their counties).
    expect(children).toEqual([J.sacramento, SF, SSF, J.alameda, SF_COUNTY, J.santaClara]);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await api.get(
        `/api/v1/jurisdictions?parentId=${enc(J.ca)}&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      paged.push(...page.body.items.map((j) => j.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(children);
  });

  it('pages with cursor and limit, without duplicates or gaps', async () => {
    const all = (await api.get('/api/v1/jurisdictions?limit=500')).body.items.map((j: { id: string }) => j.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/jurisdictions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await api.get(url);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((j: { id: string }) => j.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('400 REQUEST.INVALID for bad query parameters, naming each', async () => {
    expectProblem(await api.get('/api/v1/jurisdictions?level=galactic'), 400, 'REQUEST.INVALID', ['query.level']);
    expectProblem(await api.get('/api/v1/jurisdictions?limit=0'), 400, 'REQUEST.INVALID', ['query.limit']);
    expectProblem(await api.get('/api/v1/jurisdictions?limit=501'), 400, 'REQUEST.INVALID', ['query.limit']);
    expectProblem(await api.get('/api/v1/jurisdictions?sort=name'), 400, 'REQUEST.INVALID', ['query.sort']);
    expectProblem(await api.get('/api/v1/jurisdictions?parentId=state:CA'), 400, 'REQUEST.INVALID', ['query.parentId']);
    // A cursor is a page's end, not a place to start chosen by hand.
    for (const cursor of ['!!!', Buffer.from('zzzz-not-a-cursor').toString('base64url')]) {
      expectProblem(await api.get(`/api/v1/jurisdictions?cursor=${cursor}`), 400, 'JURISDICTION.INVALID', ['query.cursor']);
    }
  });
});

describe('GET /api/v1/jurisdictions/{id}', () => {
  it('returns the jurisdiction with counts and its latest action', async () => {
    const created = await api.createAction({ actingJurisdictionId: J.ca, affectedJurisdictionIds: [J.ca], kind: 'legislation' });
    const res = await api.get(`/api/v1/jurisdictions/${enc(J.ca)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: J.ca,
      name: 'California',
      level: 'state',
      parentId: J.us,
      ancestors: [J.us],
      registeredAt: expect.stringMatching(/Z$/),
      counts: { total: 1, byLevel: { state: 1 }, byKind: { legislation: 1 } },
      latestAction: { actionId: created.id, kind: 'legislation', occurredOn: '2017-03-27' },
    });
  });

  it('writes latestAction.occurredOn at its precision, as the timeline does', async () => {
    const created = await api.createAction({
      actingJurisdictionId: J.alameda,
      affectedJurisdictionIds: [J.alameda],
      occurredOn: { date: '2017-02', precision: 'month' },
    });
    const res = await api.get(`/api/v1/jurisdictions/${enc(J.alameda)}`);
    expect(res.body.latestAction).toMatchObject({ actionId: created.id, occurredOn: '2017-02' });
  });

  it('404 JURISDICTION.UNKNOWN for a well-formed id that is not registered', async () => {
    expectProblem(await api.get(`/api/v1/jurisdictions/${enc('ocd-division/country:us/state:zz')}`), 404, 'JURISDICTION.UNKNOWN');
    expectProblem(await api.get(`/api/v1/jurisdictions/${enc('ocd-division/country:us/state:zz')}/timeline`), 404, 'JURISDICTION.UNKNOWN');
  });

  it('400 REQUEST.MALFORMED for an id with broken percent-encoding', async () => {
    expectProblem(await api.get('/api/v1/jurisdictions/%ZZ/timeline'), 400, 'REQUEST.MALFORMED', ['url']);
    expectProblem(await api.get('/api/v1/jurisdictions/ocd-division%2Fcountry%3Aus%E0%A4%A'), 400, 'REQUEST.MALFORMED', ['url']);
  });

  it('400 JURISDICTION.INVALID_ID for a malformed id in the URL', async () => {
    expectProblem(await api.get(`/api/v1/jurisdictions/${enc('ocd-division/country:us/state:CA')}`), 400, 'JURISDICTION.INVALID_ID', ['path.id']);
    expectProblem(await api.get('/api/v1/jurisdictions/garbage/timeline'), 400, 'JURISDICTION.INVALID_ID', ['path.id']);
  });
});

describe('health', () => {
  it('GET /health answers while the process runs', async () => {
    const res = await api.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /ready reports the database and the projections', async () => {
    const res = await api.get('/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: { status: 'up' }, projections: expect.any(Array) });
    for (const p of res.body.projections) expect(p).toEqual(expect.objectContaining({ name: expect.any(String), lag: expect.any(Number) }));
  });

  it('unknown routes are problem+json 404s', async () => {
    expectProblem(await api.get('/api/v1/nothing-here'), 404, 'ROUTE.NOT_FOUND');
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const json = await api.get('/api/docs-json');
    expect(json.status).toBe(200);
    expect(json.body.paths).toHaveProperty(['/api/v1/jurisdictions/{id}/timeline']);
    const page = await api.get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui');
    expect((await api.get('/api/docs/swagger-ui-bundle.js')).status).toBe(200);
  });
});

describe('with API_READ_REQUIRES_KEY=true', () => {
  let closed: ApiHarness;
  let key: string;

  beforeAll(async () => {
    closed = await startApi({ API_READ_REQUIRES_KEY: 'true' });
    key = (await createApiKey(closed.db, { role: 'analyst', name: 'reader' })).key;
  });

  afterAll(async () => {
    await closed?.close();
  });

  it('reads need a key (401 without, 200 with an analyst key)', async () => {
    expectProblem(await closed.get('/api/v1/jurisdictions'), 401, 'AUTH.UNAUTHORIZED');
    expectProblem(await closed.get('/api/v1/events'), 401, 'AUTH.UNAUTHORIZED');
    expect((await closed.get('/api/v1/jurisdictions', { key })).status).toBe(200);
  });

  it('health and readiness stay public: probes carry no keys', async () => {
    expect((await closed.get('/health')).status).toBe(200);
    expect((await closed.get('/ready')).status).toBe(200);
  });
});
