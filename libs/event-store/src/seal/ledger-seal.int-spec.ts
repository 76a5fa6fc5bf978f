import { generateKeyPairSync } from 'node:crypto';
import { createDb, migrateToLatest } from '@app/db';
import { createTestDatabase, startEmbeddedPostgresProcess, type TestDatabase } from '@app/db/testing';
import { sql, type Kysely } from 'kysely';
import { EventStore } from '../event-store';
import { ProjectionRunner } from '../projection-runner';
import { eventually, uniqueId } from '../testing/helpers';
import type { LedgerProof } from './contract';
import { LedgerSeals, sealingProjection, SEAL_PROJECTION, TILE_LEAVES } from './ledger-seal';
import { leafHash, rootOf } from './merkle';
import { checkProof } from './proof';
import { CHAIN_START, chainLink, sealedLeaf, sealedTextSql, type SealedContent } from './sealed-event';
import { verifyLedger } from './verify-ledger';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

/** A small ledger on its own database: streams of a few events, written in several appends. */
async function ledger(db: Kysely<any>, options: { events: number; batchSize: number }) {
  const store = new EventStore(db);
  const runner = new ProjectionRunner(store, [sealingProjection({ signingKey: privateKey, batchSize: options.batchSize })]);
  const streams: string[] = [];
  for (let written = 0; written < options.events; ) {
    const n = Math.min(1 + (written % 3), options.events - written);
    const id = uniqueId('stream');
    streams.push(id);
    await store.append(id, Array.from({ length: n }, (_, k) => ({ type: 'Noted', data: { k, text: `note ${written + k} “quoted” \u00e9` }, metadata: { actor: 'test' } })), { expectedVersion: 'no_stream' });
    written += n;
  }
  const seals = new LedgerSeals(db);
  // Other test files' open transactions can hold the gap-safe horizon back: catch up until all is sealed.
  await eventually(async () => (await runner.catchUp(SEAL_PROJECTION), (await seals.head()).size === options.events), { what: 'every event to be sealed' });
  return { store, runner, streams, seals };
}

/**
 * PostgreSQL's jsonb text, as the seal documents it, for the values these tests write:
 * object keys shortest first then bytewise, ", " and ": " between items.
 */
function jsonbText(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  const keys = Object.keys(value).sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText((value as Record<string, unknown>)[k])}`).join(', ')}}`;
}
const sealedText = (e: SealedContent) =>
  jsonbText({ streamId: e.streamId, streamVersion: e.streamVersion, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata });

/** What an attacker with the database password can do: switch the guard off and write. */
async function asAttacker(db: Kysely<any>, statement: ReturnType<typeof sql>) {
  await sql`ALTER TABLE events DISABLE TRIGGER events_no_update_delete`.execute(db);
  await statement.execute(db);
  await sql`ALTER TABLE events ENABLE TRIGGER events_no_update_delete`.execute(db);
}

describe('the sealed ledger', () => {
  let database: TestDatabase<any>;
  let db: Kysely<any>;
  let subject: Awaited<ReturnType<typeof ledger>>;

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 4 });
    db = database.db;
    // Over two tiles and a ragged tail, sealed in uneven batches.
    subject = await ledger(db, { events: 2 * TILE_LEAVES + 77, batchSize: 97 });
  });
  afterAll(() => database?.drop());

  it('seals every event in commit order: the head is the RFC 6962 root and the chain of their leaves', async () => {
    const { events } = await subject.store.readAll({ limit: 10_000 });
    const leaves = events.map((e) => sealedLeaf(sealedText(e)));
    const head = await subject.seals.head();
    expect(head.size).toBe(events.length);
    expect(head.position).toBe(events.at(-1)!.position);
    expect(head.root).toBe(rootOf(leaves).toString('hex'));
    expect(head.chain).toBe(leaves.reduce(chainLink, CHAIN_START).toString('hex'));
    const { rows } = await sql<{ seals: number; tiles: number }>`
      SELECT (SELECT count(*)::int FROM ledger_seals) AS seals, (SELECT count(*)::int FROM ledger_tiles) AS tiles`.execute(db);
    expect(rows[0]).toEqual({ seals: Math.ceil(events.length / 97), tiles: 2 });
  });

  it("writes the sealed text exactly as jsonb_build_object(…)::text, whatever the content", async () => {
    const odd = [
      { 'a key': 'quotes " and \\ backslashes', nested: { z: [1, 2.5, -0.001, 1e21, null, true], é: 'accents, “curly” quotes, 日本語, emoji 🗽' } },
      { controls: '\u0001 tab\t newline\n \u2028', empty: {}, list: [], long_key_name_first: 1, b: 2 },
      [1, 'two', { three: 3 }],
      'a bare string',
    ];
    for (const [i, data] of odd.entries()) {
      await subject.store.append(`odd-${i}`, [{ type: 'Odd "type"', data, metadata: { actor: 'ünïcode', n: i } }], { expectedVersion: 'any' });
    }
    const { rows } = await sql<{ built: string; written: string }>`
      SELECT jsonb_build_object('streamId', e.stream_id, 'streamVersion', e.stream_version, 'type', e.type,
                                'schemaVersion', e.schema_version, 'data', e.data, 'metadata', e.metadata)::text AS built,
             ${sql.raw(sealedTextSql('e'))} AS written
        FROM events e`.execute(db);
    expect(rows.length).toBeGreaterThan(odd.length);
    expect(rows.filter((r) => r.built !== r.written)).toEqual([]);
    await eventually(async () => (await subject.runner.catchUp(SEAL_PROJECTION), (await subject.seals.head()).size === rows.length), { what: 'the odd events sealed' });
  });

  it('signs each seal; the head checks against the pinned key and not against another', async () => {
    const head = await subject.seals.head();
    const proof = await subject.seals.proveStream(subject.streams[0]);
    expect(checkProof(proof, { publicKey }).signature).toMatchObject({ ok: true, pinned: true });
    expect(checkProof(proof, { publicKey: other.publicKey })).toMatchObject({ ok: false, signature: { ok: false, reason: expect.stringContaining('not the pinned key') } });
    expect(checkProof({ ...proof, head: { ...head, size: head.size - 1 } }, { publicKey }).signature).toEqual({ ok: false, reason: 'the signature does not match the head' });
  });

  it('carries the sealed text: the event as PostgreSQL writes it, without its position or time', async () => {
    const proof = await subject.seals.proveStream(subject.streams[0]);
    expect(proof.events[0].sealed).toBe(
      `{"data": {"k": 0, "text": "note 0 “quoted” é"}, "type": "Noted", "metadata": {"actor": "test"}, "streamId": "${subject.streams[0]}", "schemaVersion": 1, "streamVersion": 1}`,
    );
    const shown = { ...proof, events: [{ ...proof.events[0], event: { ...proof.events[0].event, data: { k: 0, text: 'another text' } } }] };
    expect(checkProof(shown, { publicKey }).events[0]).toMatchObject({ ok: false, reason: 'the event shown is not the one in its sealed text' });
  });

  it('proves every event of a stream, in any tile or in the ragged tail, from the proof alone', async () => {
    for (const streamId of [subject.streams[0], subject.streams[Math.floor(subject.streams.length / 2)], subject.streams.at(-1)!]) {
      const proof = await subject.seals.proveStream(streamId);
      expect(proof.events.length).toBeGreaterThan(0);
      const check = checkProof(JSON.parse(JSON.stringify(proof)) as LedgerProof, { publicKey });
      expect(check.events.every((e) => e.ok)).toBe(true);
      expect(check.ok).toBe(true);
    }
  });

  it('verifies the whole ledger, and says how much is not sealed yet', async () => {
    const progress: number[] = [];
    const report = await verifyLedger(subject.store, { publicKey, onProgress: (p) => progress.push(p.events) });
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(db);
    expect(report).toMatchObject({ ok: true, mismatch: null, eventsChecked: rows[0].n, unsealed: 0, signedSeals: report.seals });
    expect(progress.at(-1)).toBe(rows[0].n);
    await subject.store.append(uniqueId('late'), [{ type: 'Noted', data: {} }], { expectedVersion: 'no_stream' });
    expect((await verifyLedger(subject.store)).unsealed).toBe(1);
    await eventually(async () => (await subject.runner.catchUp(SEAL_PROJECTION), (await verifyLedger(subject.store)).unsealed === 0), { what: 'the late event to be sealed' });
  });

  it('finds a published head in the ledger, and tells a rewritten history from it', async () => {
    const head = await subject.seals.head();
    expect((await verifyLedger(subject.store, { publishedHead: head })).publishedHead).toMatchObject({ ok: true });
    const forged = { ...head, root: leafHash('another history').toString('hex') };
    expect(await verifyLedger(subject.store, { publishedHead: forged })).toMatchObject({ ok: false, publishedHead: { ok: false } });
  });
});

describe('a tampered ledger', () => {
  let database: TestDatabase<any>;
  let db: Kysely<any>;
  let subject: Awaited<ReturnType<typeof ledger>>;

  beforeEach(async () => {
    database = await createTestDatabase({ poolSize: 4 });
    db = database.db;
    subject = await ledger(db, { events: 40, batchSize: 7 });
  });
  afterEach(() => database?.drop());

  /** The stream's events from the log, and the one at `index` in it. */
  const target = async (index: number) => (await subject.store.readAll({ limit: 100 })).events[index];

  it('an event altered in place is named by verify, and its proof fails', async () => {
    const victim = await target(20);
    await asAttacker(db, sql`UPDATE events SET data = jsonb_set(data, '{text}', '"rewritten"') WHERE "position" = ${victim.position}`);
    const report = await verifyLedger(subject.store, { publicKey });
    expect(report.ok).toBe(false);
    expect(report.mismatch).toMatchObject({ leafIndex: 20, event: { position: victim.position, streamId: victim.streamId } });
    expect(report.mismatch!.message).toMatch(/altered/);
    const check = checkProof(await subject.seals.proveStream(victim.streamId), { publicKey });
    expect(check.ok).toBe(false);
    expect(check.events.find((e) => e.position === victim.position)).toMatchObject({ ok: false });
  });

  it('an event deleted is named by where the ledger stops matching, and later proofs fail', async () => {
    const victim = await target(12);
    const next = await target(13);
    await asAttacker(db, sql`DELETE FROM events WHERE "position" = ${victim.position}`);
    const report = await verifyLedger(subject.store);
    expect(report.mismatch).toMatchObject({ leafIndex: 12, event: { position: next.position } });
    expect(report.mismatch!.message).toMatch(/removed/);
    expect(checkProof(await subject.seals.proveStream(next.streamId), { publicKey }).ok).toBe(false);
  });

  it('an event slipped into a sealed range is named as inserted, and its proof fails', async () => {
    const before = await target(30);
    // An old transaction id and a fresh position: it sorts into the sealed order right after `before`.
    await asAttacker(db, sql`INSERT INTO events (transaction_id, stream_id, stream_version, type, data)
                              VALUES (${before.transactionId}::xid8, 'forged', 1, 'Noted', '{"text": "never happened"}')`);
    const report = await verifyLedger(subject.store);
    expect(report.mismatch).toMatchObject({ leafIndex: 31, event: { streamId: 'forged' } });
    expect(report.mismatch!.message).toMatch(/inserted/);
    expect(checkProof(await subject.seals.proveStream('forged'), { publicKey }).ok).toBe(false);
  });

  it('a tile altered by hand is named by verify: proofs through it would fail', async () => {
    const bigger = await createTestDatabase({ poolSize: 4 });
    try {
      const ledgerWithTiles = await ledger(bigger.db, { events: TILE_LEAVES + 3, batchSize: 50 });
      await sql`ALTER TABLE ledger_tiles DISABLE TRIGGER USER`.execute(bigger.db);
      await sql`UPDATE ledger_tiles SET hash = sha256('forged'::bytea) WHERE tile = 0`.execute(bigger.db);
      expect((await verifyLedger(ledgerWithTiles.store)).mismatch?.message).toMatch(/^tile 0 \(leaves 0 to 255\) is missing or not what its leaves give/);
    } finally {
      await bigger.drop();
    }
  });

  it('a seal recomputed by hand over altered events no longer carries a valid signature', async () => {
    const victim = await target(3);
    await asAttacker(db, sql`UPDATE events SET data = '{"text": "rewritten"}' WHERE "position" = ${victim.position}`);
    // The attacker re-seals from scratch, without the signing key.
    await sql`ALTER TABLE ledger_seals DISABLE TRIGGER ALL`.execute(db);
    await sql`ALTER TABLE ledger_tiles DISABLE TRIGGER ALL`.execute(db);
    await sql`TRUNCATE ledger_seals, ledger_tiles`.execute(db);
    await sql`UPDATE projection_checkpoints SET transaction_id = '0', "position" = 0 WHERE name = ${SEAL_PROJECTION}`.execute(db);
    const forger = new ProjectionRunner(subject.store, [sealingProjection({ signingKey: other.privateKey })]);
    await eventually(async () => (await forger.catchUp(SEAL_PROJECTION), (await subject.seals.head()).size === 40), { what: 'the forged seal' });
    const report = await verifyLedger(subject.store, { publicKey });
    expect(report.mismatch!.message).toMatch(/signature does not check: signed by key/);
    // Without a pinned key its own signature holds; only the pinned key tells.
    expect((await verifyLedger(subject.store)).ok).toBe(true);
  });
});

describe('a ledger that got its key later', () => {
  it('counts the seals before the first signed one as covered by it; a process without the key then stops instead of sealing', async () => {
    const database = await createTestDatabase({ poolSize: 4 });
    try {
      const store = new EventStore(database.db);
      const seals = new LedgerSeals(database.db);
      let written = 0;
      const sealWith = async (signingKey: typeof privateKey | undefined, n: number) => {
        for (let i = 0; i < n; i++) await store.append(uniqueId('s'), [{ type: 'Noted', data: { i } }], { expectedVersion: 'no_stream' });
        written += n;
        const runner = new ProjectionRunner(store, [sealingProjection({ signingKey })]);
        await eventually(async () => (await runner.catchUp(SEAL_PROJECTION), (await seals.head()).size === written), { what: 'the seal' });
      };
      await sealWith(undefined, 3);
      expect(await verifyLedger(store, { publicKey })).toMatchObject({ ok: false, mismatch: { message: 'no seal is signed, and a key was pinned' } });
      await sealWith(privateKey, 2);
      const signedLater = await verifyLedger(store, { publicKey });
      expect(signedLater).toMatchObject({ ok: true, eventsChecked: 5 });
      expect(signedLater.signedSeals).toBeGreaterThan(0);
      expect(signedLater.signedSeals).toBeLessThan(signedLater.seals);
      await expect(sealWith(undefined, 1)).rejects.toThrow('projection ledger_seal is stopped on an error');
      const { rows } = await sql<{ message: string }>`SELECT last_error->>'message' AS message FROM projection_checkpoints WHERE name = ${SEAL_PROJECTION}`.execute(database.db);
      expect(rows[0].message).toBe('the ledger is signed and this process has no LEDGER_SIGNING_KEY');
      expect(await verifyLedger(store, { publicKey })).toMatchObject({ ok: true, unsealed: 1 });
    } finally {
      await database.drop();
    }
  });
});

describe('the sealed ledger on the embedded default (PGlite)', () => {
  it('seals, proves and verifies the same way', async () => {
    const server = await startEmbeddedPostgresProcess();
    const db = createDb(server.url, { max: 1, prepareStatements: false });
    try {
      await migrateToLatest(db);
      const subject = await ledger(db, { events: TILE_LEAVES + 5, batchSize: 100 });
      expect(checkProof(await subject.seals.proveStream(subject.streams[3]), { publicKey }).ok).toBe(true);
      expect(await verifyLedger(subject.store, { publicKey })).toMatchObject({ ok: true, eventsChecked: TILE_LEAVES + 5 });
    } finally {
      await db.destroy();
      await server.stop();
    }
  });
});
