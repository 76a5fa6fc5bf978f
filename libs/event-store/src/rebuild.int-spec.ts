import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { sql, type Kysely, type Transaction } from 'kysely';
import { EventStore } from './event-store';
import { RebuildInProgressError } from './event-store.errors';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { rebuildProjection, type RebuildProgress } from './rebuild';
import { uniqueId } from './testing/helpers';

describe('rebuildProjection and inline projections', () => {
  let database: TestDatabase<any>;
  let db: Kysely<any>;
  let store: EventStore;
  /** Called by the handlers when they run inside a rebuild (their tables resolve to its schema). */
  let duringRebuild: (() => Promise<void>) | undefined;

  async function rebuilding(trx: Transaction<any>): Promise<boolean> {
    const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(trx);
    return rows[0].schema.startsWith('rebuild_');
  }

  async function onceInRebuild(trx: Transaction<any>): Promise<void> {
    const hook = duringRebuild;
    if (hook && (await rebuilding(trx))) {
      duringRebuild = undefined;
      await hook();
    }
  }

  const inlineCounts: Projection = {
    name: 'inline_counts',
    eventTypes: ['Paid'],
    tables: ['inline_counts'],
    async handle(trx, events) {
      await onceInRebuild(trx);
      for (const e of events) {
        await sql`
          INSERT INTO inline_counts (stream_id, n) VALUES (${e.streamId}, 1)
          ON CONFLICT (stream_id) DO UPDATE SET n = inline_counts.n + 1`.execute(trx);
      }
    },
  };

  const totals: Projection = {
    name: 'totals',
    eventTypes: ['Paid'],
    tables: ['totals'],
    async handle(trx, events) {
      await onceInRebuild(trx);
      for (const e of events) {
        await sql`
          INSERT INTO totals (stream_id, n, total) VALUES (${e.streamId}, 1, ${e.data.amount})
          ON CONFLICT (stream_id) DO UPDATE SET n = totals.n + 1, total = totals.total + excluded.total`.execute(trx);
      }
    },
  };

  const paid = (amount: number) => ({ type: 'Paid', data: { amount } });

  /** The read models as a fresh full run over the log would build them. */
  async function fromLog(): Promise<{ totals: unknown[]; counts: unknown[] }> {
    const { rows } = await sql<{ stream_id: string; n: number; total: number }>`
      SELECT stream_id, count(*)::int AS n, sum((data->>'amount')::int)::int AS total
        FROM events WHERE type = 'Paid' GROUP BY stream_id ORDER BY stream_id`.execute(db);
    return { totals: rows, counts: rows.map(({ stream_id, n }) => ({ stream_id, n })) };
  }

  const readTotals = async () => (await sql`SELECT stream_id, n, total FROM totals ORDER BY stream_id`.execute(db)).rows;
  const readCounts = async () => (await sql`SELECT stream_id, n FROM inline_counts ORDER BY stream_id`.execute(db)).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    await sql`CREATE TABLE totals (stream_id text PRIMARY KEY, n integer NOT NULL, total integer NOT NULL)`.execute(db);
    await sql`CREATE TABLE inline_counts (stream_id text PRIMARY KEY, n integer NOT NULL)`.execute(db);
    store = new EventStore(db, { inlineProjections: [inlineCounts] });
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('shows an inline projection as soon as append returns, and rolls the append back with it', async () => {
    const a = uniqueId('acct');
    const b = uniqueId('acct');
    await store.append(a, [paid(1), paid(2)], { expectedVersion: 'no_stream' });
    expect((await sql`SELECT n FROM inline_counts WHERE stream_id = ${a}`.execute(db)).rows).toEqual([{ n: 2 }]);

    await store.appendMany([
      { streamId: a, events: [paid(3)], expectedVersion: 2 },
      { streamId: b, events: [paid(4), { type: 'Other', data: {} }], expectedVersion: 'no_stream' },
    ]);
    expect((await sql`SELECT stream_id, n FROM inline_counts WHERE stream_id IN (${a}, ${b}) ORDER BY n DESC`.execute(db)).rows).toEqual([
      { stream_id: a, n: 3 },
      { stream_id: b, n: 1 },
    ]);

    // A failing inline handler fails the append: events and read model commit together or not at all.
    const failing = new EventStore(db, {
      inlineProjections: [{ ...inlineCounts, handle: async () => Promise.reject(new Error('read model says no')) }],
    });
    const c = uniqueId('acct');
    await expect(failing.append(c, [paid(1)], { expectedVersion: 'no_stream' })).rejects.toThrow('read model says no');
    expect(await store.streamVersion(c)).toBe(0);

    // A unique violation in the read model is the projection's bug, not a lost race: it
    // surfaces as is, after one try, even for an 'any' append that would retry a race.
    let calls = 0;
    const clashing = new EventStore(db, {
      inlineProjections: [{ ...inlineCounts, handle: async (trx) => {
        calls++;
        await sql`INSERT INTO inline_counts (stream_id, n) VALUES (${a}, 1)`.execute(trx);
      } }],
    });
    const clash = await clashing.append(c, [paid(1)], { expectedVersion: 'any' }).catch((e: unknown) => e);
    expect(clash).toMatchObject({ code: '23505', constraint: 'inline_counts_pkey' });
    expect(calls).toBe(1);
    expect(await store.streamVersion(c)).toBe(0);
  });

  it('rebuilds an async projection equal to the incremental one, serving the old table meanwhile', async () => {
    const runner = new ProjectionRunner(store, [totals], { pollMs: 50, batchSize: 5 });
    await runner.start();
    try {
      const streams = [uniqueId('acct'), uniqueId('acct'), uniqueId('acct'), uniqueId('acct')];
      let last = 0;
      for (let i = 0; i < 40; i++) {
        const events = i % 5 === 0 ? [paid(i), { type: 'Other', data: {} }] : [paid(i)];
        last = (await store.append(streams[i % 4], events, { expectedVersion: 'any' })).lastPosition;
      }
      await runner.waitForPosition(last, 10_000);
      const incremental = await readTotals();
      expect(incremental).toEqual((await fromLog()).totals);

      // Midway through the rebuild: readers still get the live table, whole; writers carry on.
      let liveMeanwhile: unknown[] | undefined;
      let appendedMeanwhile = 0;
      duringRebuild = async () => {
        liveMeanwhile = await readTotals();
        appendedMeanwhile = (await store.append(streams[0], [paid(1000)], { expectedVersion: 'any' })).lastPosition;
      };
      const progress: RebuildProgress[] = [];
      const result = await rebuildProjection(store, totals, { batchSize: 7, onProgress: (p) => progress.push(p) });

      expect(liveMeanwhile).toEqual(incremental);
      expect(appendedMeanwhile).toBeGreaterThan(last);
      expect(progress.length).toBeGreaterThan(3);
      const positions = progress.map((p) => p.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      expect(progress.at(-1)!.eventsApplied).toBe(result.eventsApplied);

      // The swapped-in table equals a full run over the log (the old events exactly as the
      // incremental run had them, plus the one appended meanwhile), and the runner carries on
      // from the rebuild's checkpoint without applying anything twice.
      await runner.waitForPosition(appendedMeanwhile, 5000);
      const after = await store.append(streams[1], [paid(2000)], { expectedVersion: 'any' });
      await runner.waitForPosition(after.lastPosition, 5000);
      expect(await readTotals()).toEqual((await fromLog()).totals);
      const { rows } = await sql`SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'rebuild_%'`.execute(db);
      expect(rows).toEqual([]);
    } finally {
      await runner.stop();
    }
  });

  it('rebuilds an inline projection, taking in appends made while it runs', async () => {
    const id = uniqueId('acct');
    await store.append(id, [paid(1), paid(2)], { expectedVersion: 'no_stream' });
    // Damage the read model: the rebuild must not care what the live table holds.
    await sql`UPDATE inline_counts SET n = 999`.execute(db);
    await sql`DELETE FROM inline_counts WHERE stream_id = ${id}`.execute(db);

    duringRebuild = async () => {
      await store.append(id, [paid(3)], { expectedVersion: 'any' });
    };
    await rebuildProjection(store, inlineCounts, { batchSize: 3 });
    expect(duringRebuild).toBeUndefined(); // the hook ran

    const expected = (await fromLog()).counts;
    expect(await readCounts()).toEqual(expected);
    expect(expected).toContainEqual({ stream_id: id, n: 3 });

    // Inline appends keep writing to the swapped-in table.
    await store.append(id, [paid(4)], { expectedVersion: 3 });
    expect((await sql`SELECT n FROM inline_counts WHERE stream_id = ${id}`.execute(db)).rows).toEqual([{ n: 4 }]);
  });

  it('refuses a second rebuild of the same projection while one runs, and allows it after', async () => {
    // The inline projection: its rebuild ends with every event, whereas an asynchronous one
    // stops at the gap-safe horizon (other test files' open transactions hold it back) and
    // leaves the rest to its runner.
    await store.append(uniqueId('acct'), [paid(5)], { expectedVersion: 'no_stream' });
    let second: Promise<unknown> | undefined;
    duringRebuild = async () => {
      second = rebuildProjection(store, inlineCounts).catch((e: unknown) => e);
      await second;
    };
    await rebuildProjection(store, inlineCounts, { batchSize: 3 });
    expect(await second).toBeInstanceOf(RebuildInProgressError);
    expect(await second).toMatchObject({ code: 'EVENT_STORE.REBUILD_IN_PROGRESS', projection: 'inline_counts' });
    expect(await readCounts()).toEqual((await fromLog()).counts);

    await rebuildProjection(store, inlineCounts);
    expect(await readCounts()).toEqual((await fromLog()).counts);
  });
});
