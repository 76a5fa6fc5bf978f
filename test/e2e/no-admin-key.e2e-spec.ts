import { createApiKey, revokeApiKey } from '@app/db';
import { actionBody, expectNothingAppended, expectProblem, startApi, type ApiHarness } from '../support/api-harness';

// A fresh install without API_ADMIN_KEY and without a stored key: no write can be authorised,
// and the refusal says what to configure instead of blaming the key sent.

let api: ApiHarness;

beforeAll(async () => {
  // An empty variable is unset (see parseConfig).
  api = await startApi({ API_ADMIN_KEY: '' });
});

afterAll(async () => {
  await api?.close();
});

const WRITES_OFF = 'writes are off until API_ADMIN_KEY is set or a key is created';

it('refuses a write with a 401 that says writes are off until an admin key is configured', async () => {
  await expectNothingAppended(api, async () => {
    for (const key of [null, 'some-key-that-cannot-exist-yet']) {
      const res = await api.post('/api/v1/actions', actionBody(), { key });
      expectProblem(res, 401, 'AUTH.UNAUTHORIZED', ['header.authorization']);
      expect(res.body.detail).toContain(WRITES_OFF);
    }
  });
  // Reads stay open.
  expect((await api.get('/api/v1/events')).status).toBe(200);
});

it('a revoked key does not count: writes stay off', async () => {
  const revoked = await createApiKey(api.db, { role: 'admin', name: 'revoked at once' });
  await revokeApiKey(api.db, revoked.id);
  const res = await api.post('/api/v1/keys', { role: 'curator' }, { key: revoked.key });
  expectProblem(res, 401, 'AUTH.UNAUTHORIZED', ['header.authorization']);
  expect(res.body.detail).toContain(WRITES_OFF);
});

it('once a key exists, a refused request is told about its own key again', async () => {
  const admin = await createApiKey(api.db, { role: 'admin', name: 'first admin' });
  const wrong = await api.post('/api/v1/keys', { role: 'curator' }, { key: 'some-key-that-cannot-exist-yet' });
  expectProblem(wrong, 401, 'AUTH.UNAUTHORIZED', ['header.authorization']);
  expect(wrong.body.detail).toBe('the API key is not valid');
  const missing = await api.post('/api/v1/keys', { role: 'curator' }, { key: null });
  expect(missing.body.detail).toBe('send Authorization: Bearer <api key>');
  expect((await api.post('/api/v1/keys', { role: 'curator', name: 'made by the first admin' }, { key: admin.key })).status).toBe(201);
});
