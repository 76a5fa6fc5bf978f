import { createHash } from 'node:crypto';
import { createApiKey, findApiKeyByPlaintext, listApiKeys, revokeApiKey } from './api-keys';
import { createTestDatabase, type TestDatabase } from './testing';

describe('API keys', () => {
  let test: TestDatabase<any>;
  beforeAll(async () => (test = await createTestDatabase()));
  afterAll(() => test.drop());

  it('creates a key that is found by its plaintext and stored only as a hash', async () => {
    const { id, key } = await createApiKey(test.db, { role: 'curator', name: 'ingest worker' });
    expect(key).toMatch(/^pl_[A-Za-z0-9_-]{43}$/);
    expect(await findApiKeyByPlaintext(test.db, key)).toEqual({ id, role: 'curator', name: 'ingest worker', expiresAt: null });
    expect(await findApiKeyByPlaintext(test.db, `${key}x`)).toBeNull();

    const row = await test.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key.slice(3));
  });

  it('stops finding a revoked key, and revokes only once', async () => {
    const { id, key } = await createApiKey(test.db, { role: 'analyst' });
    expect(await revokeApiKey(test.db, id)).toBe(true);
    expect(await findApiKeyByPlaintext(test.db, key)).toBeNull();
    expect(await revokeApiKey(test.db, id)).toBe(false);
    expect(await revokeApiKey(test.db, 'no-such-key')).toBe(false);
  });

  it('lists keys with their state, never their hashes', async () => {
    const { id } = await createApiKey(test.db, { role: 'admin', name: 'ops' });
    const listed = await listApiKeys(test.db);
    expect(listed.find((k) => k.id === id)).toEqual({ id, name: 'ops', role: 'admin', createdAt: expect.any(Date), revokedAt: null, expiresAt: null, lastUsedAt: null });
    expect(listed.some((k) => k.revokedAt instanceof Date)).toBe(true);
    expect(JSON.stringify(listed)).not.toContain('key_hash');
  });

  it('refuses an unknown role', async () => {
    await expect(createApiKey(test.db, { role: 'owner' as never })).rejects.toThrow(/role must be one of/);
  });
});
