import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURATED_ACTION_IDS, curatedActions } from '../../libs/policy/src/seed/curated-2017';
import { ROOT, compiledApps } from '../support/compiled-apps';
import { checkedFetch } from '../support/openapi-check';

// Smoke test of `npm start` on the embedded default: build with swc, start the compiled entry
// with no DATABASE_URL and a fresh DATA_DIR, so the first start creates a PGlite database and
// seeds it (the US jurisdiction directory, ~39,000 rows, and the curated 2017 dataset). Then it
// answers, shuts down on SIGTERM, and a second start finds the data where it left it.

const US = 'ocd-division/country:us';
const NYC = 'ocd-division/country:us/state:ny/place:new_york';
// The first start seeds; this is its budget (measured ~35 s on a developer machine).
const FIRST_START_MS = 180_000;

jest.setTimeout(FIRST_START_MS + 60_000);

interface Started {
  child: ChildProcess;
  url: string;
  ms: number;
  output: () => string;
}

const build = compiledApps('start');
const dataDir = mkdtempSync(join(tmpdir(), 'pl-start-'));
const running = new Set<ChildProcess>();
const ADMIN_KEY = `e2e-start-admin-${process.pid}-0123456789`;

function start(): Promise<Started> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    API_ADMIN_KEY: ADMIN_KEY,
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.API_READ_REQUIRES_KEY;
  const begun = Date.now();
  const child = spawn(process.execPath, [join(build.outDir, 'apps/api/src/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}\n--- output ---\n${output}`));
    };
    const timer = setTimeout(() => fail(`no "API docs:" line within ${FIRST_START_MS} ms`), FIRST_START_MS);
    child.once('exit', (code, signal) => fail(`exited before it listened (code ${code}, signal ${signal})`));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const docs = /API docs: (\S+)\/api\/docs/.exec(output);
      if (!docs) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.once('exit', () => running.delete(child));
      resolve({ child, url: docs[1], ms: Date.now() - begun, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
}

function stop(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const begun = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('did not exit within 15 s of SIGTERM'));
    }, 15_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - begun });
    });
    child.kill('SIGTERM');
  });
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await checkedFetch(url);
  return { status: res.status, body: await res.json() };
}

async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await checkedFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const timelineUrl = (base: string, id: string) => `${base}/api/v1/jurisdictions/${encodeURIComponent(id)}/timeline?limit=500`;

/** The curated actions a jurisdiction's timeline shows: acting on it or affecting it or an ancestor. */
function curatedOn(id: string, ancestors: string[]): string[] {
  return curatedActions
    .filter(({ command: { data } }) => {
      const { actingJurisdictionId, affectedJurisdictionIds } = data.content;
      return actingJurisdictionId === id || affectedJurisdictionIds.some((a) => a === id || ancestors.includes(a));
    })
    .map((a) => a.id)
    .sort();
}

beforeAll(() => build.compile());

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  build.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start on the embedded default', () => {
  let first: Started;

  it('seeds on the first start, then listens and prints its URL and docs URL', async () => {
    first = await start();
    // Printed so the seed's cost stays visible in the test log.
    console.log(`first start (seed ~39,000 jurisdictions + curated 2017 dataset into PGlite): ${(first.ms / 1000).toFixed(1)} s`);
    expect(first.output()).toContain('First start: loading the US jurisdiction directory');
    expect(first.output()).toMatch(/Policy Ledger API on http:\/\/\S+ \(database: embedded PGlite in /);
  });

  it('answers /health and /ready', async () => {
    expect(await getJson(`${first.url}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await getJson(`${first.url}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', database: { status: 'up' } });
  });

  it('gives each of many concurrent requests its own answer', async () => {
    // PGlite is one session behind a socket server that can interleave two connections'
    // statements: the embedded default must not hand one request another's rows.
    const ids = curatedActions.map((a) => a.id);
    const places = [US, NYC, 'ocd-division/country:us/state:ma/place:boston', 'ocd-division/country:us/state:il/place:chicago'];
    for (let round = 0; round < 5; round++) {
      // Writes hold transactions (the append with its read models, the projection runner's
      // batches) while the reads run.
      // (on places whose timelines the later tests do not compare)
      const writes = places.slice(2).map((id, i) => postJson(`${first.url}/api/v1/actions`, {
        kind: 'public_statement', title: `Concurrent statement ${round}.${i}`, summary: 'Written while others read.',
        occurredOn: { date: '2017-04-01', precision: 'day' }, actingJurisdictionId: id, affectedJurisdictionIds: [id],
        sources: [{ url: 'https://example.org/statement', publisher: 'Example', title: 'Statement' }],
        relations: [{ relation: 'responds_to', targetId: CURATED_ACTION_IDS.executiveOrder }],
      }));
      const replies = await Promise.all([
        ...ids.map(async (id) => ({ asked: id, reply: await getJson(`${first.url}/api/v1/actions/${encodeURIComponent(id)}`) })),
        ...places.map(async (id) => ({ asked: id, reply: await getJson(timelineUrl(first.url, id)) })),
        ...places.map(async (id) => ({ asked: id, reply: await getJson(`${first.url}/api/v1/jurisdictions/${encodeURIComponent(id)}`) })),
      ]);
      expect((await Promise.all(writes)).map((w) => w.status)).toEqual([201, 201]);
      for (const { asked, reply } of replies) {
        expect({ asked, status: reply.status, got: reply.body.id ?? reply.body.jurisdictionId }).toEqual({ asked, status: 200, got: asked });
      }
    }
  });

  it('keeps a second process (the CLI) off its data directory, and serves keys over HTTP instead', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    const cli = await build.cli(env, 'keys', 'create', '--role', 'curator');
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('is open in another process');
    const created = await postJson(`${first.url}/api/v1/keys`, { role: 'curator', name: 'tour' });
    expect(created).toMatchObject({ status: 201, body: { role: 'curator', key: expect.stringMatching(/^pl_/) } });
  });

  it('shows the curated 2017 actions on the country\'s timeline, in date order', async () => {
    const { status, body } = await getJson(timelineUrl(first.url, US));
    expect(status).toBe(200);
    const ids = body.entries.map((e: { actionId: string }) => e.actionId);
    expect([...ids].sort()).toEqual(curatedOn(US, []));
    expect(ids).toContain(CURATED_ACTION_IDS.executiveOrder);
    expect(ids).toContain(CURATED_ACTION_IDS.grantCertification);
    const starts = body.entries.map((e: { occurredOn: string }) => e.occurredOn.padEnd(10, '-00'));
    expect(starts).toEqual([...starts].sort());
    expect(body.entries.some((e: { occurredOn: string }) => e.occurredOn.startsWith('2017'))).toBe(true);
  });

  it('shows New York City its own statements and the inherited federal ones', async () => {
    const { body } = await getJson(timelineUrl(first.url, NYC));
    const ids = body.entries.map((e: { actionId: string }) => e.actionId);
    expect([...ids].sort()).toEqual(curatedOn(NYC, ['ocd-division/country:us/state:ny', US]));
    expect(ids).toContain(CURATED_ACTION_IDS.deBlasioStatement);
    const eo = body.entries.find((e: { actionId: string }) => e.actionId === CURATED_ACTION_IDS.executiveOrder);
    expect(eo).toMatchObject({ inherited: true, via: US, level: 'federal' });
  });

  it('holds the whole US directory', async () => {
    const { body } = await getJson(`${first.url}/api/v1/jurisdictions?q=santa%20clara&level=county`);
    expect(body.items.map((j: { id: string }) => j.id)).toContain('ocd-division/country:us/state:ca/county:santa_clara');
  });

  it('exits cleanly on SIGTERM', async () => {
    const { code, signal } = await stop(first.child);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('starts again on the same data without seeding again', async () => {
    const second = await start();
    try {
      console.log(`second start (no seed): ${(second.ms / 1000).toFixed(1)} s`);
      expect(second.output()).not.toContain('First start');
      const { body } = await getJson(timelineUrl(second.url, US));
      expect(body.entries.map((e: { actionId: string }) => e.actionId).sort()).toEqual(curatedOn(US, []));
    } finally {
      expect(await stop(second.child)).toMatchObject({ code: 0, signal: null });
    }
  });
});
