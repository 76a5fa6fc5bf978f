import { parseConfig } from '@app/config';
import { ADMIN_KEY, expectProblem, startApi, type ApiHarness, type Reply } from '../support/api-harness';
import { checkReplyAgainstContract } from '../support/openapi-check';
import { TEST_REDIS_URL, deleteKeys, uniquePrefix } from '../../apps/worker/src/testing/redis-keys';

// Abuse limits at the HTTP edge: per-key and per-address budgets (reads and writes apart),
// answered as problem+json with Retry-After; security headers; CORS only for listed origins.

interface Send {
  key?: string;
  ip?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A request from a given address (inject's remoteAddress), checked against the contract. */
async function send(api: ApiHarness, method: string, url: string, options: Send = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await api.app.getHttpAdapter().getInstance().inject({
    method: method as 'GET',
    url,
    headers,
    remoteAddress: options.ip ?? '203.0.113.1',
    payload: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  checkReplyAgainstContract(method, url, { status: res.statusCode, headers: res.headers, text: res.body });
  let body: unknown;
  try {
    body = res.body === '' ? undefined : JSON.parse(res.body);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, headers: res.headers as Reply['headers'], text: res.body, body };
}

function expectLimited(res: Reply, kind: 'reads' | 'writes'): void {
  const problem = expectProblem(res, 429, 'RATE.LIMITED');
  expect(problem.detail).toContain(kind);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
}

const jurisdictions = [
  { id: 'ocd-division/country:us', name: 'United States', level: 'federal' },
  { id: 'ocd-division/country:us/state:ca', name: 'California', level: 'state' },
  { id: 'ocd-division/country:us/state:ny', name: 'New York', level: 'state' },
];

describe('rate limits', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi({ RATE_LIMIT_READS_PER_MINUTE: '3', RATE_LIMIT_WRITES_PER_MINUTE: '2' });
  });
  afterAll(() => api?.close());

  it('counts reads and writes apart, and answers past either with a 429 problem and Retry-After', async () => {
    const ip = '203.0.113.10';
    for (let i = 0; i < 3; i++) {
      const ok = await send(api, 'GET', '/api/v1/jurisdictions', { key: ADMIN_KEY, ip });
      expect(ok.status).toBe(200);
      expect(ok.headers['x-ratelimit-limit']).toBe('3');
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    expectLimited(await send(api, 'GET', '/api/v1/jurisdictions', { key: ADMIN_KEY, ip }), 'reads');

    // The same key's writes have a budget of their own.
    expect((await send(api, 'POST', '/api/v1/jurisdictions', { key: ADMIN_KEY, ip, body: jurisdictions[0] })).status).toBe(201);
    expect((await send(api, 'POST', '/api/v1/jurisdictions', { key: ADMIN_KEY, ip, body: jurisdictions[1] })).status).toBe(201);
    const before = await api.eventCount();
    expectLimited(await send(api, 'POST', '/api/v1/jurisdictions', { key: ADMIN_KEY, ip, body: jurisdictions[2] }), 'writes');
    expect(await api.eventCount()).toBe(before);
  });

  it('gives each key a budget apart from its address, and each address its own', async () => {
    const ip = '203.0.113.20';
    for (let i = 0; i < 3; i++) expect((await send(api, 'GET', '/api/v1/jurisdictions', { ip })).status).toBe(200);
    expectLimited(await send(api, 'GET', '/api/v1/jurisdictions', { ip }), 'reads');
    // Another address still reads.
    expect((await send(api, 'GET', '/api/v1/jurisdictions', { ip: '203.0.113.21' })).status).toBe(200);
    // A key the API knows has its own budget (spent in the test above, from another address).
    expectLimited(await send(api, 'GET', '/api/v1/jurisdictions', { key: ADMIN_KEY, ip: '203.0.113.22' }), 'reads');
    // A made-up key buys no fresh budget: it spends the address's.
    expectLimited(await send(api, 'GET', '/api/v1/jurisdictions', { key: 'made-up-key-0123456789abcdef', ip }), 'reads');
  });

  it('never limits the probes, the console or the API docs', async () => {
    const ip = '203.0.113.30';
    for (let i = 0; i < 4; i++) await send(api, 'GET', '/api/v1/jurisdictions', { ip });
    expectLimited(await send(api, 'GET', '/api/v1/jurisdictions', { ip }), 'reads');
    for (let i = 0; i < 5; i++) {
      expect((await send(api, 'GET', '/health', { ip })).status).toBe(200);
      expect([200, 503]).toContain((await send(api, 'GET', '/ready', { ip })).status);
      expect((await send(api, 'GET', '/api/docs-json', { ip })).status).toBe(200);
      // Not built in this test (404 CONSOLE.NOT_BUILT), and not limited either way.
      const page = await api.app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/console', remoteAddress: ip });
      expect(page.statusCode).not.toBe(429);
    }
  });
});

describe('rate limits with REDIS_URL', () => {
  // Two replicas on one Redis, each with a database of its own: the budget is the Redis's.
  const prefix = uniquePrefix('limits');
  const replicas: ApiHarness[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      replicas.push(await startApi({ REDIS_URL: TEST_REDIS_URL, BULLMQ_PREFIX: prefix, RATE_LIMIT_READS_PER_MINUTE: '3', RATE_LIMIT_WRITES_PER_MINUTE: '2' }));
    }
  }, 60_000);
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  it('shares one budget between the replicas', async () => {
    const [a, b] = replicas;
    const ip = '203.0.113.40';
    expect((await send(a, 'GET', '/api/v1/jurisdictions', { ip })).status).toBe(200);
    expect((await send(b, 'GET', '/api/v1/jurisdictions', { ip })).status).toBe(200);
    expect((await send(a, 'GET', '/api/v1/jurisdictions', { ip })).status).toBe(200);
    expectLimited(await send(b, 'GET', '/api/v1/jurisdictions', { ip }), 'reads');
    expectLimited(await send(a, 'GET', '/api/v1/jurisdictions', { ip }), 'reads');
    // Writes still have theirs, on either replica.
    expect((await send(b, 'POST', '/api/v1/jurisdictions', { key: ADMIN_KEY, ip, body: jurisdictions[0] })).status).toBe(201);
  });
});

describe('security headers', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api?.close());

  it('sends a strict content security policy and helmet headers with every answer', async () => {
    const res = await send(api, 'GET', '/api/v1/jurisdictions');
    expect(res.status).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob: data:", "connect-src 'self'", "frame-ancestors 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    // An error answer carries them too.
    expect((await send(api, 'GET', '/api/v1/nowhere')).headers['x-content-type-options']).toBe('nosniff');
  });

  it('relaxes the policy for the API docs page only', async () => {
    const docs = await send(api, 'GET', '/api/docs');
    expect(docs.status).toBe(200);
    expect(String(docs.headers['content-security-policy'])).toContain("style-src 'self' 'unsafe-inline'");
    expect(String(docs.headers['content-security-policy'])).toContain("script-src 'self';");
  });

  it('is unthrottled in the harness (limits 0 = off): no rate headers', async () => {
    const res = await send(api, 'GET', '/api/v1/jurisdictions');
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
  });
});

describe('CORS', () => {
  const allowed = 'https://notebooks.example.org';

  it('is off by default', async () => {
    const api = await startApi();
    try {
      const res = await send(api, 'GET', '/api/v1/jurisdictions', { headers: { origin: allowed } });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await api.close();
    }
  });

  describe('with CORS_ORIGINS', () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await startApi({ CORS_ORIGINS: `${allowed}, http://localhost:8888` });
    });
    afterAll(() => api?.close());

    it('lets a listed origin read, with ETag, X-Next-Cursor and Content-Disposition exposed', async () => {
      const res = await send(api, 'GET', '/api/v1/jurisdictions', { headers: { origin: allowed } });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(allowed);
      const exposed = String(res.headers['access-control-expose-headers']);
      for (const header of ['ETag', 'X-Next-Cursor', 'Content-Disposition']) expect(exposed).toContain(header);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('answers a listed origin\'s preflight for a keyed write', async () => {
      const res = await api.app.getHttpAdapter().getInstance().inject({
        method: 'OPTIONS',
        url: '/api/v1/actions',
        headers: { origin: 'http://localhost:8888', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:8888');
      expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    });

    it('gives an origin not on the list nothing to read the answer with', async () => {
      const res = await send(api, 'GET', '/api/v1/jurisdictions', { headers: { origin: 'https://elsewhere.example.com' } });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  it('refuses a CORS_ORIGINS entry that is not an origin', async () => {
    expect(() => parseConfig({ CORS_ORIGINS: 'https://ok.example.org,https://bad.example.org/path' })).toThrow(/CORS_ORIGINS/);
    expect(parseConfig({ CORS_ORIGINS: 'https://ok.example.org, http://localhost:8888' }).CORS_ORIGINS).toEqual(['https://ok.example.org', 'http://localhost:8888']);
  });
});
