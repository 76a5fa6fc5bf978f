import { conditional, ok, startReplayServer, type ReplayServer } from '../../../../test/support/replay-server';
import { HttpClient, retryAfterMs, SourceFetchError, type HttpClientOptions } from './http-client';

describe('HttpClient against a replay server', () => {
  let server: ReplayServer | undefined;
  const sleeps: number[] = [];
  // A clock that moves only when the client sleeps, so waits are exact.
  let clock = 0;
  const client = (overrides: Partial<HttpClientOptions> = {}) =>
    new HttpClient({
      sourceId: 'test-source',
      timeoutMs: 5_000,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      now: () => new Date(Date.parse('2017-03-27T14:00:00Z') + clock),
      ...overrides,
    });

  beforeEach(() => {
    sleeps.splice(0);
    clock = 0;
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers a 200 with its text, headers and validators, sending its own headers', async () => {
    server = await startReplayServer([{ path: '/a', responses: [ok({ a: 1 }, { etag: '"v1"', 'last-modified': 'Mon, 27 Mar 2017 14:00:00 GMT' })] }]);
    const result = await client({ headers: { authorization: 'Token t' } }).getJson(`${server.url}/a`);

    expect(result).toMatchObject({ status: 200, notModified: false, body: { a: 1 }, validators: { etag: '"v1"', lastModified: 'Mon, 27 Mar 2017 14:00:00 GMT' } });
    expect(server.requests[0].headers).toMatchObject({ accept: 'application/json', authorization: 'Token t' });
  });

  it('sends validators and reads a 304 as not modified, keeping the validators it sent', async () => {
    server = await startReplayServer([{ path: '/a', responses: [conditional('"v1"', ok({ a: 1 }))] }]);
    const validators = { etag: '"v1"', lastModified: 'Mon, 27 Mar 2017 14:00:00 GMT' };
    const result = await client().getJson(`${server.url}/a`, { validators });

    expect(result).toMatchObject({ status: 304, notModified: true, text: '', body: undefined, validators });
    expect(server.requests[0].headers).toMatchObject({ 'if-none-match': '"v1"', 'if-modified-since': validators.lastModified });
  });

  it('spaces requests by the rate limit, waiting only as long as is left', async () => {
    server = await startReplayServer([{ path: '/a', responses: [ok({})] }]);
    const http = client({ minIntervalMs: 250 });
    await http.get(`${server.url}/a`);
    await http.get(`${server.url}/a`);
    clock += 100;
    await http.get(`${server.url}/a`);

    expect(sleeps).toEqual([250, 150]);
    expect(server.requests).toHaveLength(3);
  });

  it('does not wait when requests are already further apart than the rate limit', async () => {
    server = await startReplayServer([{ path: '/a', responses: [ok({})] }]);
    const http = client({ minIntervalMs: 250 });
    await http.get(`${server.url}/a`);
    clock += 1_000;
    await http.get(`${server.url}/a`);

    expect(sleeps).toEqual([]);
  });

  it('retries a 500 after backoff and then reads the answer', async () => {
    server = await startReplayServer([{ path: '/a', responses: [{ status: 500, body: 'oops' }, { status: 502, body: 'oops' }, ok({ a: 2 })] }]);
    const result = await client().getJson(`${server.url}/a`);

    expect(sleeps).toEqual([500, 1000]);
    expect(result.body).toEqual({ a: 2 });
  });

  it('waits as long as a 429 says, as seconds or as an HTTP date', async () => {
    server = await startReplayServer([
      {
        path: '/a',
        responses: [{ status: 429, headers: { 'retry-after': '7' } }, { status: 429, headers: { 'retry-after': 'Mon, 27 Mar 2017 14:00:37 GMT' } }, ok({})],
      },
    ]);
    await client().get(`${server.url}/a`);

    // 7 s, then the 30 s left until the date (the clock is at 14:00:07 by then).
    expect(sleeps).toEqual([7_000, 30_000]);
  });

  it('fails at once, and not for good, when Retry-After asks for longer than it may wait', async () => {
    server = await startReplayServer([{ path: '/a', responses: [{ status: 503, headers: { 'retry-after': '3600' } }] }]);
    const failure = client().get(`${server.url}/a`);

    await expect(failure).rejects.toBeInstanceOf(SourceFetchError);
    await expect(failure).rejects.toMatchObject({ code: 'SOURCE.UNAVAILABLE', permanent: false, status: 503 });
    expect(sleeps).toEqual([]);
  });

  it('treats a 4xx other than 429 as permanent, without retrying', async () => {
    server = await startReplayServer([{ path: '/a', responses: [{ status: 403, body: { detail: 'no' } }] }]);
    await expect(client().get(`${server.url}/a`)).rejects.toMatchObject({ code: 'SOURCE.HTTP_ERROR', permanent: true, status: 403 });
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('gives up after its retries with a transient error', async () => {
    server = await startReplayServer([{ path: '/a', responses: [{ status: 503, body: 'down' }] }]);
    await expect(client({ maxRetries: 2 }).get(`${server.url}/a`)).rejects.toMatchObject({ code: 'SOURCE.UNAVAILABLE', permanent: false });
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('reports a body that is not JSON as a permanent bad response', async () => {
    server = await startReplayServer([{ path: '/a', responses: [{ status: 200, body: '<html>maintenance</html>', headers: { 'content-type': 'text/html' } }] }]);
    await expect(client().getJson(`${server.url}/a`)).rejects.toMatchObject({ code: 'SOURCE.BAD_RESPONSE', permanent: true, status: 200 });
  });

  it('retries when the connection is refused, then reports the source unavailable', async () => {
    const closed = await startReplayServer([]);
    await closed.close();
    await expect(client({ maxRetries: 1 }).get(`${closed.url}/a`)).rejects.toMatchObject({ code: 'SOURCE.UNAVAILABLE', permanent: false });
    expect(sleeps).toEqual([500]);
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2017-03-27T14:00:00Z');
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Mon, 27 Mar 2017 14:00:30 GMT', 30_000],
    ['Mon, 27 Mar 2017 13:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('%j → %j', (value, ms) => expect(retryAfterMs(value, now)).toBe(ms));
});
