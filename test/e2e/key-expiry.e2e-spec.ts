import { ADMIN_KEY, expectProblem, sleep, startApi, type ApiHarness } from '../support/api-harness';

// Keys can be given an end, and say when they were last used.

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

describe('API keys that expire', () => {
  it('work until their end, then answer 401 saying when they expired', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const created = await api.post('/api/v1/keys', { role: 'curator', name: 'a week in a newsroom', expiresAt }, { key: ADMIN_KEY });
    expect(created.status).toBe(201);
    expect(created.body.expiresAt).toBe(expiresAt);
    expect((await api.get('/api/v1/keys/current', { key: created.body.key })).status).toBe(200);
    await sleep(1600);
    const refused = await api.get('/api/v1/keys/current', { key: created.body.key });
    expect(expectProblem(refused, 401, 'AUTH.UNAUTHORIZED').detail).toBe(`the API key expired at ${expiresAt}`);
    const listed = (await api.get('/api/v1/keys', { key: ADMIN_KEY })).body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toMatchObject({ expiresAt, revokedAt: null });
  });

  it('refuses an end in the past or not an instant, naming the field', async () => {
    for (const expiresAt of ['2020-01-01T00:00:00Z', 'next week', '2027-01-01']) {
      expectProblem(await api.post('/api/v1/keys', { role: 'analyst', expiresAt }, { key: ADMIN_KEY }), 400, 'REQUEST.INVALID', ['expiresAt']);
    }
  });

  it('records when a key was last used, without a write on every request', async () => {
    const { key, id } = (await api.post('/api/v1/keys', { role: 'analyst', name: 'notebook' }, { key: ADMIN_KEY })).body;
    const listedBefore = (await api.get('/api/v1/keys', { key: ADMIN_KEY })).body.items.find((k: { id: string }) => k.id === id);
    expect(listedBefore.lastUsedAt).toBeNull();
    const before = Date.now();
    for (let i = 0; i < 3; i++) expect((await api.get('/api/v1/keys/current', { key })).status).toBe(200);
    let listed = listedBefore;
    for (let i = 0; i < 50 && !listed.lastUsedAt; i++) {
      await sleep(20);
      listed = (await api.get('/api/v1/keys', { key: ADMIN_KEY })).body.items.find((k: { id: string }) => k.id === id);
    }
    expect(new Date(listed.lastUsedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
  });
});
