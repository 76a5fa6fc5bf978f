import { join } from 'node:path';
import { ADMIN_KEY, J, actionBody, enc, startApi, type ApiHarness } from '../support/api-harness';
import { startAppProcess, type AppProcess } from '../support/app-process';
import { compiledApps } from '../support/compiled-apps';
import { checkedFetch } from '../support/openapi-check';

// Reads served from the cache and by ETag must never hide a write, wherever it was made: two
// API replicas on one Postgres, one in this process and one compiled and started as its own
// process, each writing while the other has the same pages cached.

let api: ApiHarness;
let replica: { app: AppProcess; url: string };
const build = compiledApps('read-cache');

async function startReplica(databaseUrl: string): Promise<{ app: AppProcess; url: string }> {
  const env = { DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', API_ADMIN_KEY: ADMIN_KEY };
  const app = await startAppProcess(join(build.outDir, 'apps/api/src/main.js'), env, /API docs: (\S+)\/api\/docs/);
  return { app, url: app.ready[1] };
}

beforeAll(async () => {
  api = await startApi();
  await build.compile();
  replica = await startReplica(api.database.url);
  await api.registerTree();
});

afterAll(async () => {
  await replica?.app.stop('SIGTERM');
  await api?.close();
  build.remove();
});

const timelinePath = (id: string) => `/api/v1/jurisdictions/${enc(id)}/timeline?limit=500`;

/** GET on the other replica, over the network. */
async function replicaGet(path: string, headers: Record<string, string> = {}) {
  const res = await checkedFetch(`${replica.url}${path}`, { headers });
  return { status: res.status, etag: res.headers.get('etag'), text: await res.text() };
}

async function replicaPost(path: string, body: unknown): Promise<{ id: string }> {
  const res = await checkedFetch(`${replica.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST ${path} on the replica: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

describe('the read cache', () => {
  it('serves a repeated read from memory, with an ETag that If-None-Match turns into a 304', async () => {
    await api.createAction({ title: 'A first order', affectedJurisdictionIds: [J.us] });
    const first = await api.get(timelinePath(J.sanJose));
    const second = await api.get(timelinePath(J.sanJose));
    expect(first.headers['x-cache']).toBe('miss');
    expect(second.headers['x-cache']).toBe('hit');
    expect(second.text).toBe(first.text);
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"\d+-[\w-]+"$/);
    expect(second.headers.etag).toBe(etag);

    for (const ifNoneMatch of [etag, etag.slice(2), `"other", ${etag}`, '*']) {
      const notModified = await api.get(timelinePath(J.sanJose), { headers: { 'if-none-match': ifNoneMatch } });
      expect({ ifNoneMatch, status: notModified.status, text: notModified.text }).toEqual({ ifNoneMatch, status: 304, text: '' });
      expect(notModified.headers.etag).toBe(etag);
    }
    // Another page of the same ledger has a tag of its own.
    expect((await api.get(timelinePath(J.sanJose).replace('limit=500', 'limit=5'))).headers.etag).not.toBe(etag);

    // A write moves the head: the old tag no longer matches and the page holds the new action.
    const { id } = await api.createAction({ title: 'A second order', affectedJurisdictionIds: [J.us] });
    const after = await api.get(timelinePath(J.sanJose), { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers['x-cache']).toBe('miss');
    expect(after.body.entries.map((e: { actionId: string }) => e.actionId)).toContain(id);
  });

  it('keeps the formats apart and carries their headers on a hit', async () => {
    const svg = () => api.get(`${timelinePath(J.sanJose)}&format=svg`);
    const miss = await svg();
    const hit = await svg();
    expect(hit.headers['x-cache']).toBe('hit');
    expect(hit.text).toBe(miss.text);
    expect(String(hit.headers['content-type'])).toMatch(/^image\/svg\+xml/);
    // A streamed export is never held in memory, but is tagged and answered 304 all the same.
    const csv = await api.get(`${timelinePath(J.sanJose)}&format=csv`);
    expect(csv.headers['x-cache']).toBeUndefined();
    const again = await api.get(`${timelinePath(J.sanJose)}&format=csv`, { headers: { 'if-none-match': String(csv.headers.etag) } });
    expect(again.status).toBe(304);
  });

  it('never hides a write answered by the other replica, in either direction', async () => {
    for (let i = 0; i < 6; i++) {
      // Both replicas have the page cached…
      await api.get(timelinePath(J.sanJose));
      await api.get(timelinePath(J.sanJose));
      await replicaGet(timelinePath(J.sanJose));
      const cached = await replicaGet(timelinePath(J.sanJose));
      // …one of them appends, and the other reads straight after its answer.
      const writeOnReplica = i % 2 === 0;
      const title = `Order number ${i}`;
      const created = writeOnReplica
        ? await replicaPost('/api/v1/actions', actionBody({ title, affectedJurisdictionIds: [J.us] }))
        : await api.createAction({ title, affectedJurisdictionIds: [J.us] });
      const here = await api.get(timelinePath(J.sanJose));
      const there = await replicaGet(timelinePath(J.sanJose), { 'if-none-match': cached.etag! });
      expect(here.body.entries.map((e: { actionId: string }) => e.actionId)).toContain(created.id);
      expect(there.status).toBe(200);
      expect(JSON.parse(there.text).entries.map((e: { actionId: string }) => e.actionId)).toContain(created.id);
      // The two replicas count the same head, so they tag the same answer alike.
      expect(there.etag).toBe(here.headers.etag);
    }
  });

  it('sees a jurisdiction registered on the other replica in the directory and its detail', async () => {
    const berkeley = 'ocd-division/country:us/state:ca/place:berkeley';
    const directory = `/api/v1/jurisdictions?q=${enc('Berkeley')}`;
    await api.get(directory);
    expect((await api.get(directory)).text).not.toContain(berkeley);
    expect((await api.get(`/api/v1/jurisdictions/${enc(berkeley)}`)).status).toBe(404);
    await replicaPost('/api/v1/jurisdictions', { id: berkeley, name: 'Berkeley city', level: 'municipal', parentId: J.alameda });
    const after = await api.get(directory);
    expect(after.headers['x-cache']).toBe('miss');
    expect(after.text).toContain(berkeley);
    expect((await api.get(`/api/v1/jurisdictions/${enc(berkeley)}`)).status).toBe(200);
  });

  it('gives other reads an ETag of their body, and a 304 for it', async () => {
    const list = await api.get('/api/v1/actions?limit=5');
    expect(list.headers.etag).toBeDefined();
    const again = await api.get('/api/v1/actions?limit=5', { headers: { 'if-none-match': String(list.headers.etag) } });
    expect(again.status).toBe(304);
  });
});

describe('the read cache where reads need a key', () => {
  let guarded: ApiHarness;
  beforeAll(async () => {
    guarded = await startApi({ API_READ_REQUIRES_KEY: 'true' });
  });
  afterAll(() => guarded?.close());

  it('never serves a cached answer, nor a 304, to a request without a valid key', async () => {
    const path = `/api/v1/jurisdictions?q=${enc('anything')}`;
    const first = await guarded.get(path, { key: ADMIN_KEY });
    expect((await guarded.get(path, { key: ADMIN_KEY })).headers['x-cache']).toBe('hit');
    expect((await guarded.get(path, { key: null })).status).toBe(401);
    expect((await guarded.get(path, { key: 'not-a-key-at-all-0123' })).status).toBe(401);
    expect((await guarded.get(path, { key: null, headers: { 'if-none-match': String(first.headers.etag) } })).status).toBe(401);
  });
});
