import { createDb } from '@app/db';
import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { sql, type Kysely } from 'kysely';
import { EventStore } from './event-store';
import { ProjectionFailedError, ProjectionWaitTimeoutError } from './event-store.errors';
import type { Projection, ProjectionError } from './projection';
import { ProjectionRunner } from './projection-runner';
import { rebuildProjection } from './rebuild';
import { eventually, follow, sleep, uniqueId } from './testing/helpers';

describe('ProjectionRunner', () => {
  let database: TestDatabase<any>;
  let db: Kysely<any>;
  let store: EventStore;
  const cleanups: (() => Promise<unknown>)[] = [];

  /** A projection that logs each event it applies into its own table. */
  function loggingProjection(name: string, eventTypes: string[], before?: (position: number) => void | Promise<void>): Projection {
    return {
      name,
      eventTypes,
      tables: [name],
      async handle(trx, events) {
        for (const e of events) {
          await before?.(e.position);
          await sql`INSERT INTO ${sql.table(name)} ("position") VALUES (${e.position})`.execute(trx);
        }
      },
    };
  }

  async function createLog(name: string): Promise<void> {
    await sql`CREATE TABLE ${sql.table(name)} ("position" bigint NOT NULL)`.execute(db);
  }

  async function logged(name: string): Promise<number[]> {
    const { rows } = await sql<{ position: number }>`SELECT "position" FROM ${sql.table(name)}`.execute(db);
    return rows.map((r) => r.position);
  }

  /** A second "process": its own pool, store and runner. */
  function otherProcess(): { db: Kysely<any>; store: EventStore } {
    const otherDb = createDb<any>(database.url, { max: 4 });
    cleanups.push(() => otherDb.destroy());
    return { db: otherDb, store: new EventStore(otherDb) };
  }

  function started(runner: ProjectionRunner): ProjectionRunner {
    cleanups.push(() => runner.stop());
    return runner;
  }

  const append = (s: EventStore, type: string, data: object = {}) =>
    s.append(uniqueId(type), [{ type, data }], { expectedVersion: 'no_stream' });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    store = new EventStore(db);
  });

  afterEach(async () => {
    // Runners first (they use the pools), then the extra pools.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('stops only the failing projection, records the event, and applies it after resume', async () => {
    await createLog('fragile');
    await createLog('steady');
    let broken = true;
    const fragile = loggingProjection('fragile', ['Step'], async (position) => {
      if (broken && position === poison) throw new Error('cannot handle this one');
    });
    const steady = loggingProjection('steady', ['Step']);
    const errors: [string, ProjectionError][] = [];
    const runner = started(
      new ProjectionRunner(store, [fragile, steady], { pollMs: 50, batchSize: 10, onError: (n, e) => errors.push([n, e]) }),
    );

    const first = (await append(store, 'Step')).lastPosition;
    const poisonEvent = await store.append(uniqueId('Step'), [{ type: 'Step', data: { bad: true } }], { expectedVersion: 'no_stream' });
    const poison = poisonEvent.lastPosition;
    const third = (await append(store, 'Step')).lastPosition;
    await runner.start();

    await eventually(async () => (await runner.status()).find((s) => s.name === 'fragile')?.state === 'failed', {
      what: 'fragile to fail',
    });
    const status = (await runner.status()).find((s) => s.name === 'fragile')!;
    expect(status.lastError).toMatchObject({
      message: 'cannot handle this one',
      eventPosition: poison,
      eventType: 'Step',
      streamId: poisonEvent.streams[0].streamId,
    });
    expect(errors).toEqual([['fragile', status.lastError]]);
    // Events before the failing one are applied; the failing one and later ones are not.
    expect(await logged('fragile')).toEqual([first]);
    await expect(runner.waitForPosition(poison, 1000, ['fragile'])).rejects.toBeInstanceOf(ProjectionFailedError);
    // What it applied before stopping is there to wait for.
    await expect(runner.waitForPosition(first, 1000, ['fragile'])).resolves.toBeUndefined();

    // The other projection, and the runner, carry on.
    const fourth = (await append(store, 'Step')).lastPosition;
    await runner.waitForPosition(fourth, 5000, ['steady']);
    expect((await logged('steady')).sort((a, b) => a - b)).toEqual([first, poison, third, fourth]);
    expect(await logged('fragile')).toEqual([first]);

    // Fixed handler: resume applies the failing event (it was not skipped) and the rest.
    broken = false;
    await runner.resume('fragile');
    await runner.waitForPosition(fourth, 5000, ['fragile']);
    expect(await logged('fragile')).toEqual([first, poison, third, fourth]);
    expect((await runner.status()).find((s) => s.name === 'fragile')).toMatchObject({ lastError: null, eventsApplied: 4 });
  });

  it('stops on an event its upcaster cannot lift, blaming that event; the append itself stands', async () => {
    await createLog('lifted');
    const upcasting = new EventStore(db, {
      upcasters: [{ type: 'Lift', fromVersion: 1, upcast: (data: { ok?: boolean }) => {
        if (!data.ok) throw new Error('cannot lift this one');
        return data;
      } }],
    });
    const good = await upcasting.append(uniqueId('Lift'), [{ type: 'Lift', schemaVersion: 1, data: { ok: true } }], { expectedVersion: 'no_stream' });
    // Committed before the upcaster ran: the caller gets it as written, not an error to retry.
    const bad = await upcasting.append(uniqueId('Lift'), [{ type: 'Lift', schemaVersion: 1, data: {} }], { expectedVersion: 'no_stream' });
    expect(bad.events[0]).toMatchObject({ schemaVersion: 1, data: {} });

    const runner = started(new ProjectionRunner(upcasting, [loggingProjection('lifted', ['Lift'])], { pollMs: 50 }));
    await runner.start();
    await eventually(async () => (await runner.status())[0].state === 'failed', { what: 'lifted to fail' });
    expect((await runner.status())[0].lastError).toMatchObject({ message: 'cannot lift this one', eventPosition: bad.lastPosition });
    expect(await logged('lifted')).toEqual([good.lastPosition]);
  });

  it('reports idle with no lag once caught up in commit order, though the last event applied is not the highest position', async () => {
    await createLog('ordered');
    // T1 takes its transaction id first and writes last: its event has the highest position
    // but comes first in commit order, so the checkpoint ends on T2's lower position.
    const t1 = uniqueId('Ordered');
    await db.transaction().execute(async (trx) => {
      await sql`SELECT pg_current_xact_id()`.execute(trx);
      await append(store, 'Ordered');
      await sql`INSERT INTO events (stream_id, stream_version, type, data) VALUES (${t1}, 1, 'Ordered', '{}')`.execute(trx);
    });
    const runner = started(new ProjectionRunner(store, [loggingProjection('ordered', ['Ordered'])], { pollMs: 20 }));
    await runner.start();
    await eventually(async () => (await logged('ordered')).length === 2, { what: 'both events applied' });
    expect((await runner.status())[0]).toMatchObject({ state: 'idle', lag: 0 });
  });

  it('wakes a runner in another process through NOTIFY, not polling', async () => {
    await createLog('woken');
    const writer = new EventStore(db); // notifies after each append
    const silentWriter = new EventStore(db, { notify: false });
    const other = otherProcess();
    const runner = started(
      new ProjectionRunner(other.store, [loggingProjection('woken', ['Ping'])], {
        pollMs: 10_000,
        listenConnectionString: database.url,
      }),
    );
    await runner.start();
    await sleep(100); // let its first (empty) batch finish, so it is asleep on its 10 s poll

    // Without a notification the runner sleeps on.
    const unseen = (await append(silentWriter, 'Ping')).lastPosition;
    await sleep(600);
    expect(await logged('woken')).toEqual([]);

    for (let round = 0; round < 3; round++) {
      const began = Date.now();
      const { lastPosition } = await append(writer, 'Ping');
      await eventually(async () => (await logged('woken')).includes(lastPosition), { timeoutMs: 3000, intervalMs: 5 });
      expect(Date.now() - began).toBeLessThan(1500);
    }
    expect(await logged('woken')).toContain(unseen); // the woken batch took the silent one too
  });

  it('never lets two runners on the same projection apply an event twice', async () => {
    await createLog('shared');
    let batchMs = 150;
    const slowShared = (): Projection => ({
      ...loggingProjection('shared', ['Tick']),
      async handle(trx, events) {
        await sleep(batchMs); // a batch takes a while: the two runners overlap
        for (const e of events) await sql`INSERT INTO shared ("position") VALUES (${e.position})`.execute(trx);
      },
    });
    const other = otherProcess();
    await sql`SELECT 1`.execute(other.db); // its pool has a connection ready, like a warm process
    const one = new ProjectionRunner(store, [slowShared()], { pollMs: 20, batchSize: 4 });
    const two = new ProjectionRunner(other.store, [slowShared()], { pollMs: 20, batchSize: 4 });
    await one.ensureCheckpoints();

    // Two batches at the same moment, with an event to apply: the advisory lock lets one through.
    const tick = (await append(store, 'Tick')).lastPosition;
    await follow(store, undefined, (got) => got.some((e) => e.position === tick));
    const outcomes = await Promise.all([one.runBatch('shared'), two.runBatch('shared')]);
    expect(outcomes.filter((o) => o === 'locked')).toHaveLength(1);
    expect(outcomes.find((o) => o !== 'locked')).toMatchObject({ applied: 1 });

    // Both running while writers append concurrently.
    batchMs = 10;
    await Promise.all([started(one).start(), started(two).start()]);
    const positions = (
      await Promise.all(
        Array.from({ length: 5 }, async () => {
          const mine: number[] = [];
          for (let i = 0; i < 8; i++) mine.push((await append(i % 2 ? store : other.store, 'Tick')).lastPosition);
          return mine;
        }),
      )
    ).flat();
    // Concurrent appends commit out of position order: wait for each of them.
    for (const p of positions) await one.waitForPosition(p, 10_000);

    const log = await logged('shared');
    expect(log).toHaveLength(positions.length + 1);
    expect(new Set(log).size).toBe(log.length);
    expect([tick, ...positions].every((p) => log.includes(p))).toBe(true);
  });

  it('waitForPosition resolves once the projection has the event, and times out otherwise', async () => {
    await createLog('waited');
    await createLog('idle_one');
    const runner = started(new ProjectionRunner(store, [loggingProjection('waited', ['Wait'])], { pollMs: 50 }));
    await runner.start();
    const { lastPosition } = await append(store, 'Wait');
    await runner.waitForPosition(lastPosition, 5000);
    expect(await logged('waited')).toContain(lastPosition);

    // A projection nobody runs never gets there.
    const idle = new ProjectionRunner(store, [loggingProjection('idle_one', ['Wait'])]);
    await idle.ensureCheckpoints();
    const began = Date.now();
    const err = await idle.waitForPosition(lastPosition, 300).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProjectionWaitTimeoutError);
    expect(err).toMatchObject({ position: lastPosition, timeoutMs: 300, behind: ['idle_one'] });
    expect(Date.now() - began).toBeGreaterThanOrEqual(290);
    expect(await logged('idle_one')).toEqual([]);
  });

  it('resumes after its connection is killed mid-batch with nothing lost and nothing applied twice', async () => {
    await sql`CREATE TABLE crash_totals (stream_id text PRIMARY KEY, n integer NOT NULL, total integer NOT NULL)`.execute(db);
    await createLog('crash_log');
    let kills = 0;
    const killer = otherProcess().db;
    const crashy: Projection = {
      name: 'crashy',
      eventTypes: ['Paid'],
      tables: ['crash_totals', 'crash_log'],
      async handle(trx, events) {
        for (const [i, e] of events.entries()) {
          if (kills === 0 && i === Math.floor(events.length / 2) && events.length > 4) {
            // Halfway through writing the batch, its backend dies (think: OOM kill, failover).
            kills++;
            const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
            await sql`SELECT pg_terminate_backend(${rows[0].pid})`.execute(killer);
          }
          await sql`INSERT INTO crash_log ("position") VALUES (${e.position})`.execute(trx);
          await sql`
            INSERT INTO crash_totals (stream_id, n, total) VALUES (${e.streamId}, 1, ${e.data.amount})
            ON CONFLICT (stream_id) DO UPDATE SET n = crash_totals.n + 1, total = crash_totals.total + excluded.total`.execute(trx);
        }
      },
    };
    const streams = [uniqueId('acct'), uniqueId('acct'), uniqueId('acct')];
    const positions: number[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await store.append(streams[i % 3], [{ type: 'Paid', data: { amount: i + 1 } }], { expectedVersion: 'any' });
      positions.push(r.lastPosition);
    }
    const runner = started(new ProjectionRunner(store, [crashy], { pollMs: 50, batchSize: 10 }));
    await runner.start();
    await runner.waitForPosition(positions.at(-1)!, 10_000);
    expect(kills).toBe(1);

    const totals = async () =>
      (await sql`SELECT stream_id, n, total FROM crash_totals ORDER BY stream_id`.execute(db)).rows;
    const expected = streams
      .map((s, k) => ({
        stream_id: s,
        n: 10,
        total: Array.from({ length: 10 }, (_, j) => 3 * j + k + 1).reduce((a, b) => a + b, 0),
      }))
      .sort((a, b) => (a.stream_id < b.stream_id ? -1 : 1));
    expect(await totals()).toEqual(expected);
    const log = await logged('crash_log');
    expect(log.sort((a, b) => a - b)).toEqual(positions);
    expect((await runner.status())[0]).toMatchObject({ lastError: null, eventsApplied: 30 });

    // A rebuild from scratch produces the same read model.
    await runner.stop();
    await rebuildProjection(store, crashy);
    expect(await totals()).toEqual(expected);
    expect((await logged('crash_log')).sort((a, b) => a - b)).toEqual(positions);
  });
});
