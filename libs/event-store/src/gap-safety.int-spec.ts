import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { sql } from 'kysely';
import { Client } from 'pg';
import { EventStore } from './event-store';
import { EVENTS_CHANNEL } from './notifications';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { eventually, follow, sleep, uniqueId } from './testing/helpers';
import type { StoredEvent } from './types';

/**
 * Gap safety: a reader following the log must never skip an event whose transaction took its
 * position early and committed late, nor deliver one twice. Transactions are held open on
 * raw `pg` clients so the test decides exactly when each commits.
 */
describe('gap-safe reading (slow transactions)', () => {
  let database: TestDatabase<any>;
  let store: EventStore;
  let runner: ProjectionRunner;
  const clients: Client[] = [];

  // Records what the runner applied, in the order it applied it.
  const gapLog: Projection = {
    name: 'gap_log',
    eventTypes: ['Noted'],
    async handle(trx, events) {
      for (const e of events) await sql`INSERT INTO gap_log ("position") VALUES (${e.position})`.execute(trx);
    },
  };

  async function openTransaction(): Promise<Client> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    clients.push(client);
    await client.query('BEGIN');
    return client;
  }

  /** Appends through the store's own SQL function on a transaction the test controls. */
  async function appendIn(client: Client, streamId: string): Promise<{ position: number; xid: bigint }> {
    const { rows } = await client.query<{ position: string; transaction_id: string }>(
      `SELECT "position", transaction_id::text FROM append_events($1::jsonb, $2::jsonb, NULL, NULL)`,
      [JSON.stringify([{ id: streamId, expected: 0 }]), JSON.stringify([{ s: 0, t: 'Noted', v: 1, d: {}, m: {} }])],
    );
    return { position: Number(rows[0].position), xid: BigInt(rows[0].transaction_id) };
  }

  async function applied(): Promise<number[]> {
    const { rows } = await sql<{ position: number }>`SELECT "position" FROM gap_log ORDER BY seq`.execute(database.db);
    return rows.map((r) => r.position);
  }

  /** What the store sends after its own appends; raw commits here have to say it themselves. */
  const notifyAppended = () => sql`SELECT pg_notify(${EVENTS_CHANNEL}, '')`.execute(database.db);

  const positionsOf = (events: StoredEvent[], wanted: number[]) =>
    events.map((e) => e.position).filter((p) => wanted.includes(p));

  beforeAll(async () => {
    database = await createTestDatabase();
    await sql`CREATE TABLE gap_log (seq integer GENERATED ALWAYS AS IDENTITY, "position" bigint NOT NULL)`.execute(database.db);
    store = new EventStore(database.db);
    // pollMs is far beyond the test's patience: the runner must be woken (NOTIFY) or notice
    // events held back behind the horizon by itself.
    runner = new ProjectionRunner(store, [gapLog], { pollMs: 60_000, listenConnectionString: database.url });
    await runner.start();
  });

  afterAll(async () => {
    await runner?.stop();
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await database?.drop();
  });

  it('delivers an early transaction committed late, after a later-positioned event was read past', async () => {
    const start = await follow(store, undefined, () => true);
    // T2 takes its transaction id first, T1 then appends (lower position), T2 appends and commits.
    const t2 = await openTransaction();
    await t2.query('SELECT pg_current_xact_id()');
    const t1 = await openTransaction();
    const e1 = await appendIn(t1, uniqueId('slow'));
    const e2 = await appendIn(t2, uniqueId('fast'));
    await t2.query('COMMIT');
    await notifyAppended();
    expect(e2.position).toBeGreaterThan(e1.position); // a position-only reader would now skip e1
    expect(e2.xid).toBeLessThan(e1.xid);

    // The subscriber and the runner both read past T2's event while T1 is still open…
    const before = await follow(store, start.checkpoint, (got) => got.some((e) => e.position === e2.position));
    expect(positionsOf(before.events, [e1.position, e2.position])).toEqual([e2.position]);
    await eventually(async () => (await applied()).includes(e2.position), { what: 'the runner to apply T2' });
    expect(await applied()).not.toContain(e1.position);

    // …and still get T1's event once it commits: none lost, none twice, in commit order.
    await t1.query('COMMIT');
    await notifyAppended();
    const after = await follow(store, before.checkpoint, (got) => got.some((e) => e.position === e1.position));
    expect(positionsOf([...before.events, ...after.events], [e1.position, e2.position])).toEqual([
      e2.position,
      e1.position,
    ]);
    await eventually(async () => (await applied()).includes(e1.position), { what: 'the runner to apply T1' });
    expect((await applied()).filter((p) => p === e1.position || p === e2.position)).toEqual([e2.position, e1.position]);
  });

  it('holds back a committed event while an older transaction is open, then delivers both once', async () => {
    const start = await follow(store, undefined, () => true);
    const t1 = await openTransaction();
    const e1 = await appendIn(t1, uniqueId('slow'));
    const e2 = (await store.append(uniqueId('fast'), [{ type: 'Noted', data: {} }], { expectedVersion: 'no_stream' }))
      .lastPosition;

    // Delivering e2 now would move the checkpoint past T1's transaction id and lose e1.
    await sleep(150);
    const held = await store.readAll({ after: start.checkpoint });
    expect(positionsOf(held.events, [e1.position, e2])).toEqual([]);
    expect(await applied()).not.toContain(e2);

    // T1 commits on its own client: no NOTIFY follows, so only the runner noticing the
    // held-back event (rather than sleeping for pollMs) makes this quick.
    await t1.query('COMMIT');
    const { events } = await follow(store, held.checkpoint, (got) => got.some((e) => e.position === e2));
    expect(positionsOf(events, [e1.position, e2])).toEqual([e1.position, e2]);
    await eventually(async () => (await applied()).includes(e2), { timeoutMs: 3000, what: 'the runner to apply both' });
    expect((await applied()).filter((p) => p === e1.position || p === e2)).toEqual([e1.position, e2]);
  });

  it('loses nothing and repeats nothing while many slow and fast writers race a reader', async () => {
    const start = await follow(store, undefined, () => true);
    const written: number[] = [];
    let writing = true;
    const received: StoredEvent[] = [];
    const reader = (async () => {
      let checkpoint = start.checkpoint;
      while (writing) {
        const page = await store.readAll({ after: checkpoint, limit: 3 });
        received.push(...page.events);
        checkpoint = page.checkpoint;
        if (page.caughtUp) await sleep(2);
      }
      return checkpoint;
    })();

    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 4; i++) {
          if ((w + i) % 3 === 0) {
            // A slow writer: takes its position, then dawdles before committing.
            const t = await openTransaction();
            const { position } = await appendIn(t, uniqueId(`w${w}`));
            await sleep(20 + ((w * 7 + i * 13) % 40));
            await t.query('COMMIT');
            written.push(position);
          } else {
            const r = await store.append(uniqueId(`w${w}`), [{ type: 'Noted', data: {} }], { expectedVersion: 'no_stream' });
            written.push(r.lastPosition);
          }
        }
      }),
    );
    writing = false;
    const checkpoint = await reader;
    const rest = await follow(store, checkpoint, (got) => written.every((p) => [...received, ...got].some((e) => e.position === p)));
    const all = [...received, ...rest.events];

    expect(all.filter((e) => written.includes(e.position))).toHaveLength(written.length);
    expect(new Set(all.map((e) => e.position)).size).toBe(all.length);
    // Delivered in (transaction id, position) order, the order every reader agrees on.
    const order = all.map((e) => [BigInt(e.transactionId), e.position] as const);
    const sorted = [...order].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
    expect(order).toEqual(sorted);

    // Other files' transactions on the server hold the gap-safe horizon back now and then.
    const log = await eventually(async () => {
      const positions = await applied();
      return written.every((p) => positions.includes(p)) && positions;
    }, { what: 'the runner to apply every write', timeoutMs: 15_000 });
    expect(new Set(log).size).toBe(log.length);
    expect(written.every((p) => log.includes(p))).toBe(true);
  });
});
