import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { sql } from 'kysely';
import { EventStore } from './event-store';
import { VersionConflictError } from './event-store.errors';
import type { Projection } from './projection';
import { uniqueId } from './testing/helpers';

describe('group commit', () => {
  let database: TestDatabase<any>;
  let store: EventStore;
  /** Transactions the inline projection was called in, and the streams each one held. */
  const transactions = new Map<string, Set<string>>();

  const recorder: Projection = {
    name: 'group-commit-recorder',
    eventTypes: ['Happened', 'Refused'],
    async handle(trx, events) {
      if (events.some((e) => e.type === 'Refused')) throw new Error('this projection refuses Refused');
      const { rows } = await sql<{ xid: string }>`SELECT pg_current_xact_id()::text AS xid`.execute(trx);
      const streams = transactions.get(rows[0].xid) ?? new Set<string>();
      for (const e of events) streams.add(e.streamId);
      transactions.set(rows[0].xid, streams);
    },
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new EventStore(database.db, { inlineProjections: [recorder], groupCommit: { inFlight: 1, maxBatch: 16 } });
  });

  afterAll(async () => {
    await database?.drop();
  });

  beforeEach(() => transactions.clear());

  const happened = (n: number) => ({ type: 'Happened', data: { n } });

  it('commits concurrent appends to different streams together, each with its own answer', async () => {
    const ids = Array.from({ length: 12 }, () => uniqueId('gc'));
    const results = await Promise.all(
      ids.map((id, i) => store.append(id, [happened(i), happened(i + 100)], { expectedVersion: 'no_stream', metadata: { actor: `a${i}` } })),
    );
    // Fewer transactions than appends: they waited for each other and went in batches.
    expect(transactions.size).toBeLessThan(ids.length);
    for (const [i, result] of results.entries()) {
      expect(result).toMatchObject({ version: 2, replayed: false, streams: [{ streamId: ids[i], version: 2 }] });
      expect(result.events.map((e) => [e.streamId, e.data.n, e.metadata.actor])).toEqual([
        [ids[i], i, `a${i}`],
        [ids[i], i + 100, `a${i}`],
      ]);
      expect(result.positions).toEqual(result.events.map((e) => e.position));
      expect(result.lastPosition).toBe(Math.max(...result.positions));
      const stored = await store.readStream(ids[i]);
      expect(stored.map((e) => [e.position, e.metadata.actor])).toEqual(result.events.map((e) => [e.position, `a${i}`]));
    }
  });

  it('gives a conflicting append its own VersionConflictError and still makes the others', async () => {
    const existing = uniqueId('gc');
    await store.append(existing, [happened(0)], { expectedVersion: 'no_stream' });
    const fresh = Array.from({ length: 5 }, () => uniqueId('gc'));
    const outcomes = await Promise.allSettled([
      ...fresh.map((id) => store.append(id, [happened(1)], { expectedVersion: 'no_stream' })),
      store.append(existing, [happened(1)], { expectedVersion: 'no_stream' }),
    ]);
    expect(outcomes.slice(0, 5).map((o) => o.status)).toEqual(Array(5).fill('fulfilled'));
    const conflict = outcomes[5];
    expect(conflict.status).toBe('rejected');
    expect((conflict as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflictError);
    expect((conflict as PromiseRejectedResult).reason).toMatchObject({ actualVersion: 1 });
    for (const id of fresh) expect(await store.streamVersion(id)).toBe(1);
    expect(await store.streamVersion(existing)).toBe(1);
  });

  it("keeps one projection failure to the append that caused it", async () => {
    const good = Array.from({ length: 4 }, () => uniqueId('gc'));
    const bad = uniqueId('gc');
    const outcomes = await Promise.allSettled([
      ...good.map((id) => store.append(id, [happened(1)], { expectedVersion: 'no_stream' })),
      store.append(bad, [{ type: 'Refused', data: {} }], { expectedVersion: 'no_stream' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect(String((outcomes[4] as PromiseRejectedResult).reason)).toMatch(/refuses Refused/);
    expect(await store.streamVersion(bad)).toBe(0);
  });

  it('puts two appends to one stream in separate transactions, in the order they were made', async () => {
    const id = uniqueId('gc');
    const [first, second] = await Promise.all([
      store.append(id, [happened(1)], { expectedVersion: 'no_stream' }),
      store.append(id, [happened(2)], { expectedVersion: 1 }),
    ]);
    expect([first.version, second.version]).toEqual([1, 2]);
    expect([...transactions.values()].filter((streams) => streams.has(id))).toHaveLength(2);
  });

  it('keeps appends to one stream in the order they were made with two transactions in flight', async () => {
    const two = new EventStore(database.db, { inlineProjections: [recorder], groupCommit: { inFlight: 2, maxBatch: 16 } });
    const id = uniqueId('gc');
    const others = Array.from({ length: 6 }, () => uniqueId('gc'));
    // Each append expects the version the one before it leaves: any reordering is a conflict.
    const results = await Promise.all([
      ...[0, 1, 2, 3].map((v) => two.append(id, [happened(v)], { expectedVersion: v })),
      ...others.map((o) => two.append(o, [happened(0)], { expectedVersion: 'no_stream' })),
    ]);
    expect(results.slice(0, 4).map((r) => r.version)).toEqual([1, 2, 3, 4]);
    expect((await store.readStream(id)).map((e) => e.data.n)).toEqual([0, 1, 2, 3]);
  });

  it("batches only exact expectations: 'any' and 'exists' appends go on their own", async () => {
    const id = uniqueId('gc');
    await store.append(id, [happened(0)], { expectedVersion: 'no_stream' });
    const [any, , exists] = await Promise.all([
      store.append(id, [happened(1)], { expectedVersion: 'any' }),
      store.append(uniqueId('gc'), [happened(1)], { expectedVersion: 'any' }),
      store.append(id, [happened(2)], { expectedVersion: 'exists' }),
    ]);
    expect(any.version).toBeGreaterThan(1);
    expect(exists.version).toBeGreaterThan(1);
    expect(await store.streamVersion(id)).toBe(3);
  });

  it('leaves an idempotent append to the idempotency path, replay included', async () => {
    const id = uniqueId('gc');
    const first = await store.append(id, [happened(1)], { expectedVersion: 'no_stream', idempotencyKey: `${id}-key` });
    const again = await store.append(id, [happened(1)], { expectedVersion: 'no_stream', idempotencyKey: `${id}-key` });
    expect(again).toMatchObject({ replayed: true, version: first.version, lastPosition: first.lastPosition });
  });
});
