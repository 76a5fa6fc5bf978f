import { sql, type Transaction } from 'kysely';
import type { Database } from '@app/db/connection';
import { EventStore, storeDb } from '../event-store';
import { IdempotencyKeyReusedError, InvalidCheckpointError, VersionConflictError } from '../event-store.errors';
import type { Projection } from '../projection';
import { ProjectionRunner } from '../projection-runner';
import type { EventStoreTables, NewEvent } from '../types';
import type { Upcaster } from '../upcasters';
import { eventually, follow, uniqueId } from './helpers';

/** A migrated database the contract may use as it likes; `close` ends it (and drops it). */
export interface ContractBackend {
  db: Database;
  close(): Promise<void>;
}

export interface ContractOptions {
  /** How many writers race for one expected version. */
  writers: number;
  /** How many retries of one idempotency key run at once. */
  retries: number;
}

const added = (amount: number): NewEvent => ({ type: 'Added', data: { amount } });

/** v1 `Renamed` held the name in two fields; v2 holds one. */
const renamedV1ToV2: Upcaster = {
  type: 'Renamed',
  fromVersion: 1,
  upcast: (data: { first: string; last: string }) => ({ fullName: `${data.first} ${data.last}` }),
};

/** Resolves to the VersionConflictError the append failed with (and fails if it did not). */
async function conflictOf(append: Promise<unknown>): Promise<VersionConflictError> {
  const err = await append.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VersionConflictError);
  return err as VersionConflictError;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * The event store's core contract, written once and run against every backend the store
 * supports (real Postgres and embedded PGlite), so the two cannot drift apart.
 */
export function eventStoreContract(factory: () => Promise<ContractBackend>, options: ContractOptions): void {
  let backend: ContractBackend;
  let db: Database;
  let store: EventStore;

  beforeAll(async () => {
    backend = await factory();
    db = backend.db;
    store = new EventStore(storeDb(db), { upcasters: [renamedV1ToV2] });
    await sql`CREATE TABLE contract_tally (stream_id text PRIMARY KEY, n integer NOT NULL, total integer NOT NULL)`.execute(db);
    await sql`CREATE TABLE contract_applied ("position" bigint NOT NULL)`.execute(db);
  });

  afterAll(async () => {
    await backend?.close();
  });

  it('appends to a stream and reads it back in version order, with metadata', async () => {
    const id = uniqueId('order');
    const first = await store.append(id, [added(1), added(2)], {
      expectedVersion: 'no_stream',
      metadata: { actor: 'alice', correlationId: 'c1' },
    });
    expect(first).toMatchObject({ version: 2, replayed: false, streams: [{ streamId: id, version: 2 }] });
    expect(first.positions).toHaveLength(2);
    expect(first.positions[1]).toBeGreaterThan(first.positions[0]);
    expect(first.lastPosition).toBe(first.positions[1]);
    expect(first.events.map((e) => [e.streamId, e.streamVersion, e.type])).toEqual([
      [id, 1, 'Added'],
      [id, 2, 'Added'],
    ]);

    const second = await store.append(id, [{ ...added(3), metadata: { actor: 'bob' } }], {
      expectedVersion: 2,
      metadata: { actor: 'alice' },
    });
    expect(second.version).toBe(3);
    expect(second.lastPosition).toBeGreaterThan(first.lastPosition);

    const events = await store.readStream(id);
    expect(events.map((e) => [e.streamVersion, e.data.amount, e.position])).toEqual([
      [1, 1, first.positions[0]],
      [2, 2, first.positions[1]],
      [3, 3, second.positions[0]],
    ]);
    expect(events[0].metadata).toEqual({ actor: 'alice', correlationId: 'c1' });
    expect(events[2].metadata).toEqual({ actor: 'bob' }); // per-event metadata wins
    expect(events[0].recordedAt).toBeInstanceOf(Date);
    expect(await store.streamVersion(id)).toBe(3);
    expect((await store.readStream(id, { fromVersion: 2, toVersion: 2 })).map((e) => e.streamVersion)).toEqual([2]);
    expect(await store.readStream(uniqueId('missing'))).toEqual([]);
  });

  it('tells local listeners after the append, and a listener that throws does not fail it', async () => {
    const heard: number[][] = [];
    const offThrowing = store.onAppended(() => {
      throw new Error('listener bug');
    });
    const offRecording = store.onAppended((events) => heard.push(events.map((e) => e.position)));
    try {
      const id = uniqueId('listened');
      const result = await store.append(id, [added(1), added(2)], { expectedVersion: 'no_stream' });
      expect(heard).toEqual([result.positions]);
      expect(await store.streamVersion(id)).toBe(2);
    } finally {
      offThrowing();
      offRecording();
    }
  });

  it(`lets exactly one of ${options.writers} concurrent appends with the same expected version win`, async () => {
    const id = uniqueId('race');
    await store.append(id, [added(0)], { expectedVersion: 'no_stream' });

    const results = await Promise.allSettled(
      range(options.writers).map((i) => store.append(id, [added(i + 1)], { expectedVersion: 1 })),
    );

    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(options.writers - 1);
    for (const err of lost) {
      expect(err).toBeInstanceOf(VersionConflictError);
      expect(err).toMatchObject({ streamId: id, expectedVersion: 1, actualVersion: 2 });
    }
    const events = await store.readStream(id);
    expect(events.map((e) => e.streamVersion)).toEqual([1, 2]);
    expect(events[1].position).toBe(won[0].lastPosition);
    expect(events[1].data).toEqual(won[0].events[0].data);

    // The same for creating a stream: one creator, the others see it exists.
    const fresh = uniqueId('race-new');
    const creations = await Promise.allSettled(
      range(options.writers).map((i) => store.append(fresh, [added(i)], { expectedVersion: 'no_stream' })),
    );
    expect(creations.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of creations.filter((c) => c.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ streamId: fresh, actualVersion: 1 });
    }
    expect(await store.streamVersion(fresh)).toBe(1);
  });

  it('honours no_stream, exists and any, writing nothing on a conflict', async () => {
    const id = uniqueId('expect');
    expect(await conflictOf(store.append(id, [added(1)], { expectedVersion: 'exists' }))).toMatchObject({
      streamId: id,
      expectedVersion: 'exists',
      actualVersion: 0,
    });
    expect(await store.streamVersion(id)).toBe(0);

    expect((await store.append(id, [added(1)], { expectedVersion: 'no_stream' })).version).toBe(1);
    expect(await conflictOf(store.append(id, [added(2)], { expectedVersion: 'no_stream' }))).toMatchObject({
      expectedVersion: 'no_stream',
      actualVersion: 1,
    });
    expect(await conflictOf(store.append(id, [added(2)], { expectedVersion: 0 }))).toMatchObject({ actualVersion: 1 });
    expect((await store.append(id, [added(2)], { expectedVersion: 'exists' })).version).toBe(2);
    expect((await store.append(id, [added(3)], { expectedVersion: 'any' })).version).toBe(3);
    expect(await conflictOf(store.append(id, [added(4)], { expectedVersion: 5 }))).toMatchObject({
      expectedVersion: 5,
      actualVersion: 3,
    });
    expect(await conflictOf(store.append(id, [added(4)], { expectedVersion: 2 }))).toMatchObject({ actualVersion: 3 });
    expect((await store.readStream(id)).map((e) => e.data.amount)).toEqual([1, 2, 3]);

    const other = uniqueId('expect-any');
    expect((await store.append(other, [added(1)], { expectedVersion: 'any' })).version).toBe(1);
    await expect(store.append(other, [added(1)], { expectedVersion: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(store.append(other, [], { expectedVersion: 'any' })).rejects.toBeInstanceOf(RangeError);
    const twice = store.appendMany([
      { streamId: other, events: [added(1)], expectedVersion: 1 },
      { streamId: other, events: [added(2)], expectedVersion: 'any' },
    ]);
    await expect(twice).rejects.toThrow('an append names each stream once');
    expect(await store.streamVersion(other)).toBe(1);
  });

  it(`gives each of ${options.writers} concurrent 'any' appends to one stream its own version`, async () => {
    const id = uniqueId('any-race');
    const results = await Promise.all(range(options.writers).map((i) => store.append(id, [added(i)], { expectedVersion: 'any' })));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(range(options.writers).map((i) => i + 1));
    expect(await store.streamVersion(id)).toBe(options.writers);
  });

  it(`gives each of ${options.writers} concurrent 'exists' appends to one stream its own version`, async () => {
    const id = uniqueId('exists-race');
    await store.append(id, [added(0)], { expectedVersion: 'no_stream' });
    const results = await Promise.all(range(options.writers).map((i) => store.append(id, [added(i)], { expectedVersion: 'exists' })));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(range(options.writers).map((i) => i + 2));
  });

  it('appends to several streams all or nothing', async () => {
    const a = uniqueId('many-a');
    const b = uniqueId('many-b');
    await store.append(b, [added(1)], { expectedVersion: 'no_stream' });

    const err = await conflictOf(
      store.appendMany([
        { streamId: a, events: [added(1)], expectedVersion: 'no_stream' },
        { streamId: b, events: [added(2)], expectedVersion: 'no_stream' },
      ]),
    );
    expect(err).toMatchObject({ streamId: b, actualVersion: 1 });
    expect(await store.streamVersion(a)).toBe(0);
    expect(await store.streamVersion(b)).toBe(1);

    const ok = await store.appendMany([
      { streamId: a, events: [added(1), added(2)], expectedVersion: 'no_stream' },
      { streamId: b, events: [added(2)], expectedVersion: 1 },
    ]);
    expect(ok.streams).toEqual([
      { streamId: a, version: 2 },
      { streamId: b, version: 2 },
    ]);
    expect(ok.version).toBe(2);
    expect(ok.positions).toHaveLength(3);
    expect([...ok.positions].sort((x, y) => x - y)).toEqual(ok.positions);
    expect((await store.readStream(a)).map((e) => e.position)).toEqual(ok.positions.slice(0, 2));
    expect((await store.readStream(b)).map((e) => e.position).at(-1)).toBe(ok.positions[2]);

    // Two multi-stream appends racing for b: the loser writes nothing to its other stream.
    const c1 = uniqueId('many-c1');
    const c2 = uniqueId('many-c2');
    const race = await Promise.allSettled(
      [c1, c2].map((c) =>
        store.appendMany([
          { streamId: c, events: [added(1)], expectedVersion: 'no_stream' },
          { streamId: b, events: [added(3)], expectedVersion: 2 },
        ]),
      ),
    );
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = race[0].status === 'rejected' ? c1 : c2;
    expect((race.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      streamId: b,
      actualVersion: 3,
    });
    expect(await store.streamVersion(loser)).toBe(0);
    expect(await store.streamVersion(b)).toBe(3);
  });

  it("commits the caller's own writes with the events, or neither", async () => {
    const stream = uniqueId('also');
    const tally = (trx: Transaction<EventStoreTables>) =>
      sql`INSERT INTO contract_tally VALUES (${stream}, 1, 1)`.execute(trx).then(() => undefined);
    await store.appendMany([{ streamId: stream, events: [added(1)], expectedVersion: 'no_stream' }], { alsoWrite: tally });
    const rows = () => sql<{ n: number }>`SELECT n FROM contract_tally WHERE stream_id = ${stream}`.execute(db).then((r) => r.rows);
    expect(await rows()).toEqual([{ n: 1 }]);

    // The second insert breaks the primary key: the events go with it.
    await expect(
      store.appendMany([{ streamId: stream, events: [added(2)], expectedVersion: 1 }], { alsoWrite: tally }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await store.streamVersion(stream)).toBe(1);
    // A version conflict leaves the caller's rows unwritten too.
    await sql`DELETE FROM contract_tally WHERE stream_id = ${stream}`.execute(db);
    await conflictOf(store.appendMany([{ streamId: stream, events: [added(3)], expectedVersion: 0 }], { alsoWrite: tally }));
    expect(await rows()).toEqual([]);
  });

  it(`appends once for ${options.retries} concurrent retries of one idempotency key`, async () => {
    const id = uniqueId('idem');
    const key = uniqueId('key');
    const request = (correlationId: string) =>
      store.append(id, [added(1), added(2), added(3)], {
        expectedVersion: 'no_stream',
        idempotencyKey: key,
        metadata: { correlationId }, // a retry carries a new correlation id: still the same request
      });

    const results = await Promise.all(range(options.retries).map((i) => request(`attempt-${i}`)));

    const fresh = results.filter((r) => !r.replayed);
    expect(fresh).toHaveLength(1);
    expect(results.filter((r) => r.replayed)).toHaveLength(options.retries - 1);
    for (const r of results) {
      expect(r.positions).toEqual(fresh[0].positions);
      expect(r.version).toBe(3);
      expect(r.lastPosition).toBe(fresh[0].lastPosition);
    }
    const events = await store.readStream(id);
    expect(events.map((e) => e.position)).toEqual(fresh[0].positions);
    expect(events[0].metadata.idempotencyKey).toBe(key);

    // A later retry still answers with the first result.
    const late = await request('late');
    expect(late).toMatchObject({ replayed: true, version: 3, positions: fresh[0].positions, events: [] });

    // The same key for another request is refused, and writes nothing.
    await expect(
      store.append(id, [added(99)], { expectedVersion: 'any', idempotencyKey: key }),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await expect(
      store.append(uniqueId('idem-other'), [added(1), added(2), added(3)], { expectedVersion: 'no_stream', idempotencyKey: key }),
    ).rejects.toMatchObject({ code: 'EVENT_STORE.IDEMPOTENCY_KEY_REUSED', idempotencyKey: key });
    expect(await store.streamVersion(id)).toBe(3);
  });

  it('reads all streams in commit order through checkpoints, each event once', async () => {
    const start = await follow(store, undefined, () => true);
    const a = uniqueId('all-a');
    const b = uniqueId('all-b');
    const positions: number[] = [];
    positions.push(...(await store.append(a, [added(1), added(2)], { expectedVersion: 'no_stream' })).positions);
    positions.push(...(await store.append(b, [added(3)], { expectedVersion: 'no_stream' })).positions);
    positions.push(...(await store.append(a, [{ type: 'Removed', data: {} }], { expectedVersion: 2 })).positions);
    positions.push(...(await store.append(b, [added(4), { type: 'Removed', data: {} }], { expectedVersion: 1 })).positions);

    // Small pages, so the checkpoint has to carry the reader across page boundaries.
    const { events, checkpoint } = await follow(
      store,
      start.checkpoint,
      (got) => positions.every((p) => got.some((e) => e.position === p)),
      { limit: 2 },
    );
    const mine = events.filter((e) => e.streamId === a || e.streamId === b);
    expect(mine.map((e) => e.position)).toEqual(positions);
    expect(new Set(events.map((e) => e.position)).size).toBe(events.length);
    expect(new Set([...start.events, ...events].map((e) => e.position)).size).toBe(start.events.length + events.length);

    // Nothing is delivered again after the last checkpoint.
    const again = await store.readAll({ after: checkpoint });
    expect(again.events.filter((e) => positions.includes(e.position))).toEqual([]);

    // A type filter returns only those types; its checkpoint still moves past the others.
    const removed = await eventually(async () => {
      const page = await store.readAll({ after: start.checkpoint, types: ['Removed'] });
      return page.events.filter((e) => e.streamId === a || e.streamId === b).length === 2 && page;
    });
    expect(removed.events.every((e) => e.type === 'Removed')).toBe(true);
    const afterRemoved = await store.readAll({ after: removed.checkpoint });
    expect(afterRemoved.events.filter((e) => positions.includes(e.position))).toEqual([]);

    await expect(store.readAll({ after: 'not-a-checkpoint' })).rejects.toBeInstanceOf(InvalidCheckpointError);
  });

  it('upcasts v1 events to v2 on read (readStream, readAll, and what the append hands on) without rewriting them', async () => {
    const id = uniqueId('upcast');
    const { positions, events: appended } = await store.append(
      id,
      [
        { type: 'Renamed', schemaVersion: 1, data: { first: 'Ada', last: 'Lovelace' } },
        { type: 'Renamed', schemaVersion: 2, data: { fullName: 'Grace Hopper' } },
      ],
      { expectedVersion: 'no_stream' },
    );
    const expected = [
      { schemaVersion: 2, data: { fullName: 'Ada Lovelace' } },
      { schemaVersion: 2, data: { fullName: 'Grace Hopper' } },
    ];

    // The append's events are what inline projections and the EventBus receive.
    expect(appended.map(({ schemaVersion, data }) => ({ schemaVersion, data }))).toEqual(expected);
    expect((await store.readStream(id)).map(({ schemaVersion, data }) => ({ schemaVersion, data }))).toEqual(expected);
    const { events } = await follow(store, undefined, (got) => positions.every((p) => got.some((e) => e.position === p)));
    expect(
      events.filter((e) => e.streamId === id).map(({ schemaVersion, data }) => ({ schemaVersion, data })),
    ).toEqual(expected);

    const { rows } = await sql<{ schema_version: number; data: unknown }>`
      SELECT schema_version, data FROM events WHERE stream_id = ${id} ORDER BY stream_version`.execute(db);
    expect(rows[0]).toEqual({ schema_version: 1, data: { first: 'Ada', last: 'Lovelace' } });
  });

  it('refuses UPDATE, DELETE and TRUNCATE on events (SQLSTATE ES003)', async () => {
    const id = uniqueId('immutable');
    await store.append(id, [added(1)], { expectedVersion: 'no_stream' });
    for (const statement of [
      sql`UPDATE events SET type = 'Tampered' WHERE stream_id = ${id}`,
      sql`DELETE FROM events WHERE stream_id = ${id}`,
      sql`TRUNCATE events`,
    ]) {
      await expect(statement.execute(db)).rejects.toMatchObject({ code: 'ES003' });
    }
    expect((await store.readStream(id)).map((e) => e.type)).toEqual(['Added']);
  });

  it('catches a projection up from its checkpoint, applying each event once in commit order', async () => {
    const projection: Projection = {
      name: 'contract_tally',
      eventTypes: ['Added'],
      async handle(trx, events) {
        for (const e of events) {
          await sql`INSERT INTO contract_applied ("position") VALUES (${e.position})`.execute(trx);
          await sql`
            INSERT INTO contract_tally (stream_id, n, total) VALUES (${e.streamId}, 1, ${e.data.amount})
            ON CONFLICT (stream_id) DO UPDATE SET n = contract_tally.n + 1, total = contract_tally.total + excluded.total`.execute(trx);
        }
      },
    };
    const runner = new ProjectionRunner(store, [projection], { batchSize: 3 });
    await runner.ensureCheckpoints();

    // The truth, straight from the log, against what the projection built.
    const tallyMatchesLog = async () => {
      await runner.catchUp(projection.name);
      const { rows: expected } = await sql<{ stream_id: string; n: number; total: number }>`
        SELECT stream_id, count(*)::int AS n, sum((data->>'amount')::int)::int AS total
          FROM events WHERE type = 'Added' GROUP BY stream_id ORDER BY stream_id`.execute(db);
      const { rows: actual } = await sql`SELECT stream_id, n, total FROM contract_tally ORDER BY stream_id`.execute(db);
      return JSON.stringify(actual) === JSON.stringify(expected) && expected.length > 0;
    };
    const appliedInCommitOrder = async () => {
      const { rows: applied } = await sql<{ position: number }>`SELECT "position" FROM contract_applied`.execute(db);
      const { rows: log } = await sql<{ position: number }>`
        SELECT "position" FROM events WHERE type = 'Added' ORDER BY transaction_id, "position"`.execute(db);
      expect(applied.map((r) => r.position)).toEqual(log.map((r) => r.position));
    };

    await eventually(tallyMatchesLog, { what: 'the projection to match the log' });
    await appliedInCommitOrder();

    const id = uniqueId('tally');
    const { lastPosition } = await store.append(id, [added(5), added(6), { type: 'Removed', data: {} }], {
      expectedVersion: 'no_stream',
    });
    await eventually(tallyMatchesLog, { what: 'the projection to apply new events' });
    await appliedInCommitOrder();
    expect(await sql`SELECT n, total FROM contract_tally WHERE stream_id = ${id}`.execute(db)).toMatchObject({
      rows: [{ n: 2, total: 11 }],
    });

    const [status] = await runner.status();
    expect(status).toMatchObject({ name: 'contract_tally', lastError: null });
    // The checkpoint moved past the last event even though it was of another type.
    expect(status.position).toBeGreaterThanOrEqual(lastPosition);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM contract_applied`.execute(db);
    expect(status.eventsApplied).toBe(rows[0].n);
    expect(await runner.catchUp(projection.name)).toBe(0);
  });
}
