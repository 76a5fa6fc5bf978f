import { connect } from 'node:net';
import { ADMIN_KEY, J, actionBody, enc, expectNothingAppended, expectProblem, startApi, type ApiHarness } from '../support/api-harness';

// What a new user's trial found answering 500 or an unhelpful problem: every such input is a
// 4xx problem+json naming the field and the rule, and changes nothing.

let api: ApiHarness;
let actionId: string;

beforeAll(async () => {
  api = await startApi();
  await api.registerTree();
  actionId = (await api.createAction({ affectedJurisdictionIds: [J.us] })).id;
});
afterAll(() => api?.close());

const NUL_RULE = 'must not contain the NUL character (U+0000)';

describe('a NUL character anywhere', () => {
  it('is a 400 naming the query parameter', async () => {
    const res = await api.get('/api/v1/actions/search?q=abc%00def');
    expect(expectProblem(res, 400, 'REQUEST.INVALID').errors).toEqual([{ path: 'query.q', message: NUL_RULE }]);
    expectProblem(await api.get(`/api/v1/jurisdictions?q=x%00`), 400, 'REQUEST.INVALID', ['query.q']);
    expectProblem(await api.get(`/api/v1/actions?q=x%00y`), 400, 'REQUEST.INVALID', ['query.q']);
  });

  it('is a 400 naming the path parameter', async () => {
    expectProblem(await api.get('/api/v1/actions/abc%00def'), 400, 'REQUEST.INVALID', ['path.id']);
    expectProblem(await api.get(`/api/v1/jurisdictions/${enc(J.us)}%00/timeline`), 400, 'REQUEST.INVALID', ['path.id']);
  });

  it('is a 400 naming the body field, and appends nothing', async () => {
    await expectNothingAppended(api, async () => {
      const res = await api.post('/api/v1/actions', actionBody({ title: 'A title\u0000with a NUL' }));
      expect(expectProblem(res, 400, 'REQUEST.INVALID').errors).toEqual([{ path: 'title', message: NUL_RULE }]);
      const correction = await api.patch(`/api/v1/actions/${actionId}`, { changes: { summary: 'ok' }, reason: 'why\u0000' }, { headers: { 'if-match': '"1"' } });
      expectProblem(correction, 400, 'REQUEST.INVALID', ['reason']);
      const sources = await api.post(`/api/v1/actions/${actionId}/sources`, { source: { url: 'https://example.org/\u0000', publisher: 'x' } }, { headers: { 'if-match': '"1"' } });
      expectProblem(sources, 400, 'REQUEST.INVALID', ['source.url']);
    });
    const key = await api.post('/api/v1/keys', { role: 'analyst', name: 'bad\u0000name' }, { key: ADMIN_KEY });
    expectProblem(key, 400, 'REQUEST.INVALID', ['name']);
  });
});

/** Sends raw bytes to the API listening on a port and reads the whole answer. */
async function rawExchange(request: string): Promise<string> {
  await api.app.listen(0, '127.0.0.1');
  const { port } = api.app.getHttpServer().address() as { port: number };
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('requests the API cannot read', () => {
  it('a URL over the header limit is a 431 problem+json', async () => {
    const answer = await rawExchange(`GET /api/v1/actions/search?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1.1 431 /);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(body)).toMatchObject({ status: 431, code: 'REQUEST.HEADERS_TOO_LARGE', errors: [{ path: 'url' }] });
  });

  it('a body that is not JSON is a 415 naming the content type, not field errors', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      await expectNothingAppended(api, async () => {
        const res = await api.post('/api/v1/actions', undefined, { raw: 'title=x', headers: { 'content-type': type } });
        expectProblem(res, 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', ['header.content-type']);
      });
    }
  });

  it('a wrong method is a 405 with Allow', async () => {
    const res = await api.request('DELETE', `/api/v1/actions/${actionId}`);
    expectProblem(res, 405, 'ROUTE.METHOD_NOT_ALLOWED');
    expect(String(res.headers.allow).split(', ').sort()).toEqual(['GET', 'HEAD', 'PATCH']);
    const timeline = await api.request('POST', `/api/v1/jurisdictions/${enc(J.us)}/timeline`, {});
    expect(expectProblem(timeline, 405, 'ROUTE.METHOD_NOT_ALLOWED').detail).toContain('GET');
  });

  it('an id with unencoded slashes is told to URL-encode it', async () => {
    const res = await api.get(`/api/v1/jurisdictions/${J.us}/timeline`);
    expect(expectProblem(res, 404, 'ROUTE.NOT_FOUND').detail).toContain(`/api/v1/jurisdictions/${enc(J.us)}/timeline`);
  });

  it('`from` after `to` is a 400', async () => {
    const timeline = await api.get(`/api/v1/jurisdictions/${enc(J.us)}/timeline?from=2018&to=2017`);
    expectProblem(timeline, 400, 'REQUEST.INVALID', ['query.from']);
    expectProblem(await api.get(`/api/v1/actions/search?q=order&from=2018-02&to=2018-01`), 400, 'REQUEST.INVALID', ['query.from']);
    expectProblem(await api.get(`/api/v1/compare?jurisdictions=${enc(J.ca)},${enc(J.ny)}&from=2018&to=2017`), 400, 'REQUEST.INVALID', ['query.from']);
    // A range inside one month is fine.
    expect((await api.get(`/api/v1/jurisdictions/${enc(J.us)}/timeline?from=2017-03-15&to=2017-03`)).status).toBe(200);
  });

  it('`limit=1.5` says it must be a whole number', async () => {
    for (const path of ['/api/v1/actions', '/api/v1/events', '/api/v1/jurisdictions', `/api/v1/jurisdictions/${enc(J.us)}/timeline`]) {
      const res = await api.get(`${path}?limit=1.5`);
      expect({ path, errors: res.body.errors }).toEqual({ path, errors: [{ path: 'query.limit', message: 'must be a whole number' }] });
    }
  });
});
