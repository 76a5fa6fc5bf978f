import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { checkProof, EventStore, LedgerSeals, ProjectionRunner, SEAL_PROJECTION, sealingProjection, type LedgerProof } from '@app/event-store';
import { eventually } from '../../libs/event-store/src/testing/helpers';
import { enc, expectProblem, ifMatch, startApi, type ApiHarness } from '../support/api-harness';
import { compiledApps } from '../support/compiled-apps';

// The sealed ledger from the outside: the signed head, an action's proof checked offline by
// the CLI with a pinned key, `verify` over the whole database, an event rewritten in the
// database as an attacker with its password would, and an export imported elsewhere.

jest.setTimeout(120_000);

const keys = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const build = compiledApps('ledger');
const dir = mkdtempSync(join(tmpdir(), 'pl-ledger-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const PUBLIC = file('public.pem', keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
const STRANGER = file('stranger.pem', stranger.publicKey.export({ type: 'spki', format: 'pem' }).toString());

let api: ApiHarness;
let actionId: string;
const cli = (database: { url: string }, ...args: string[]) => build.cli({ ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' }, ...args);

/** The head once every event written so far is sealed. */
const sealedHead = async () => {
  const events = await api.eventCount();
  return eventually(async () => {
    const res = await api.get('/api/v1/ledger/head');
    return res.body.size === events && res.body;
  }, { timeoutMs: 10_000, what: 'the seal to cover every event' });
};

beforeAll(async () => {
  [api] = await Promise.all([
    startApi({ LEDGER_SIGNING_KEY: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), PROJECTION_POLL_MS: '50' }),
    build.compile(),
  ]);
  await api.registerTree();
  ({ id: actionId } = await api.createAction({ title: 'Sanctuary jurisdictions grant conditions' }));
  expect((await api.patch(`/api/v1/actions/${enc(actionId)}`, { changes: { title: 'Byrne JAG grant conditions' }, reason: 'the grant program is named' }, ifMatch(1))).status).toBe(200);
});

afterAll(async () => {
  await api?.close();
  build.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/v1/ledger/head and /api/v1/actions/{id}/proof', () => {
  it('gives a head signed with the configured key, covering every event', async () => {
    const head = await sealedHead();
    expect(head).toMatchObject({ size: await api.eventCount(), root: expect.stringMatching(/^[0-9a-f]{64}$/), signature: { algorithm: 'Ed25519' } });
    expect(head.signature.publicKey).toBe(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  });

  it("proves each of the action's events against it, checkable with nothing but the proof and the key", async () => {
    await sealedHead();
    const res = await api.get(`/api/v1/actions/${enc(actionId)}/proof`);
    expect(res.status).toBe(200);
    const proof = res.body as LedgerProof;
    expect(proof.events.map((e) => [e.event.streamVersion, e.leafIndex !== null])).toEqual([[1, true], [2, true]]);
    expect(checkProof(proof, { publicKey: keys.publicKey })).toMatchObject({ ok: true, signature: { pinned: true } });

    const saved = file('proof.json', res.text);
    const pinned = await cli(api.database, 'verify', '--proof', saved, '--key', PUBLIC);
    expect(pinned).toMatchObject({ code: 0, stdout: expect.stringContaining('the proof holds: 2 events') });
    expect(pinned.stdout).toContain('(the pinned key)');
    expect((await cli(api.database, 'verify', '--proof', saved)).stdout).toContain('pin one with --key');
    const wrongKey = await cli(api.database, 'verify', '--proof', saved, '--key', STRANGER);
    expect(wrongKey).toMatchObject({ code: 1, stdout: expect.stringContaining('not the pinned key') });
    const garbled = await cli(api.database, 'verify', '--proof', file('garbled.json', JSON.stringify({ ...proof, head: { ...proof.head, root: 'beef' } })));
    expect(garbled).toMatchObject({ code: 1, stderr: expect.stringContaining('not a proof from GET /api/v1/actions/{id}/proof: head.root must be 64 hex digits') });
  });

  it('answers 404 ACTION.UNKNOWN for an action never recorded', async () => {
    expectProblem(await api.get('/api/v1/actions/no-such-action/proof'), 404, 'ACTION.UNKNOWN');
  });
});

describe('export, then import into a fresh ledger', () => {
  let fresh: TestDatabase<any>;
  afterAll(() => fresh?.drop());

  it('seals to the same head: size, root and chain', async () => {
    const head = await sealedHead();
    const exported = join(dir, 'ledger.ndjson');
    expect((await cli(api.database, 'export', '--out', exported)).code).toBe(0);
    fresh = await createTestDatabase({ poolSize: 2 });
    expect((await cli(fresh, 'import', exported)).code).toBe(0);
    const runner = new ProjectionRunner(new EventStore(fresh.db), [sealingProjection()]);
    const seals = new LedgerSeals(fresh.db);
    // Other files' open transactions may hold the gap-safe horizon back for a moment.
    const imported = await eventually(async () => {
      await runner.catchUp(SEAL_PROJECTION);
      const sealed = await seals.head();
      return sealed.size === head.size && sealed;
    }, { what: 'the import to be sealed' });
    expect({ size: imported.size, root: imported.root, chain: imported.chain }).toEqual({ size: head.size, root: head.root, chain: head.chain });
    // The original's published head is found in the import, whatever its seals' batches.
    const found = await cli(fresh, 'verify', '--head', file('original-head.json', JSON.stringify(head)));
    expect(found).toMatchObject({ code: 0, stdout: expect.stringContaining(`ok: the published head of ${head.size} events is in this ledger`) });
  });
});

describe('npm run cli -- verify', () => {
  it('recomputes the whole ledger, signed with the pinned key, and finds a published head in it', async () => {
    const head = await sealedHead();
    const run = await cli(api.database, 'verify', '--key', PUBLIC, '--head', file('head.json', JSON.stringify(head)));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^ok: ${head.size} events in \\d+ seals match \\(\\d+ signed with the pinned key\\)`, 'm'));
    expect(run.stdout).toContain(`ok: the published head of ${head.size} events is in this ledger`);
  });

  it('names an event rewritten in the database, and its proof stops holding', async () => {
    await sealedHead();
    const { rows } = await sql<{ position: number }>`
      SELECT "position" FROM events WHERE stream_id = ${`action-${actionId}`} AND stream_version = 2`.execute(api.db);
    // As an attacker with the database password would: the append-only trigger switched off.
    await sql`ALTER TABLE events DISABLE TRIGGER events_no_update_delete`.execute(api.db);
    await sql`UPDATE events SET data = jsonb_set(data, '{changes,title}', '"Nothing happened"') WHERE "position" = ${rows[0].position}`.execute(api.db);
    await sql`ALTER TABLE events ENABLE TRIGGER events_no_update_delete`.execute(api.db);

    const run = await cli(api.database, 'verify', '--key', PUBLIC);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`FAIL: the event at position ${rows[0].position} (action-${actionId} v2, ActionCorrected) does not match leaf`);
    expect(run.stdout).toContain('it was altered');

    const proof = (await api.get(`/api/v1/actions/${enc(actionId)}/proof`)).body as LedgerProof;
    const check = checkProof(proof, { publicKey: keys.publicKey });
    expect(check.ok).toBe(false);
    expect(check.events.map((e) => e.ok)).toEqual([true, false]);
  });
});
