import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { Kysely, PostgresDialect } from 'kysely';
import { Client, Pool } from 'pg';
import { EventStore } from './event-store';
import { LedgerHead } from './ledger-head';
import { uniqueId } from './testing/helpers';

/**
 * The head must change with every commit that appends, whatever order positions were taken
 * in, and two processes must agree on it. Transactions are held open on raw clients so the
 * test decides when each commits.
 */
describe('LedgerHead', () => {
  let database: TestDatabase<any>;
  let store: EventStore;
  const clients: Client[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new EventStore(database.db, { notify: false });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await database?.drop();
  });

  async function openTransaction(): Promise<Client> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    clients.push(client);
    await client.query('BEGIN');
    return client;
  }

  const appendIn = (client: Client) =>
    client.query(`SELECT "position" FROM append_events($1::jsonb, $2::jsonb, NULL, NULL)`, [
      JSON.stringify([{ id: uniqueId('s'), expected: 0 }]),
      JSON.stringify([{ s: 0, t: 'Noted', v: 1, d: {}, m: {} }]),
    ]);
  const append = () => store.append(uniqueId('s'), [{ type: 'Noted', data: {} }], { expectedVersion: 'no_stream' });

  it('counts the visible events, and moves with every commit', async () => {
    const head = new LedgerHead(database.db);
    const start = await head.read();
    await append();
    await append();
    expect(await head.read()).toBe(start + 2);
    expect(await head.read()).toBe(start + 2);
  });

  it('moves when a transaction that took an earlier position commits after a later one', async () => {
    const head = new LedgerHead(database.db);
    const t1 = await openTransaction();
    await appendIn(t1); // takes its position first…
    const before = await head.read();
    await append(); // …a later position commits…
    const afterLater = await head.read();
    expect(afterLater).toBe(before + 1);
    // …and many reads move the settled mark on while t1 is still open.
    for (let i = 0; i < 3; i++) await head.read();
    await t1.query('COMMIT');
    // The highest position is unchanged; the head is not.
    expect(await head.read()).toBe(afterLater + 1);
  });

  it('ignores what a rolled-back transaction appended', async () => {
    const head = new LedgerHead(database.db);
    const before = await head.read();
    const t = await openTransaction();
    await appendIn(t);
    await t.query('ROLLBACK');
    expect(await head.read()).toBe(before);
  });

  it('is the same number in another process, whatever each has seen before', async () => {
    const other = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: database.url, max: 2 }) }) });
    try {
      const mine = new LedgerHead(database.db);
      await mine.read();
      await append();
      const theirs = new LedgerHead(other);
      expect(await theirs.read()).toBe(await mine.read());
    } finally {
      await other.destroy();
    }
  });

  it('answers concurrent callers with few queries, each answer taken after its call', async () => {
    let queries = 0;
    const counted = new Kysely<any>({
      dialect: new PostgresDialect({ pool: new Pool({ connectionString: database.url, max: 4 }) }),
      // The head's own queries (the counts), not the background mark it takes once a second.
      log: (e) => {
        if (e.level === 'query' && e.query.sql.includes('count(*)')) queries++;
      },
    });
    try {
      const head = new LedgerHead(counted);
      const before = await head.read();
      queries = 0;
      const first = Array.from({ length: 50 }, () => head.read());
      await append(); // committed while those are waiting: the queued read sees it
      const late = head.read();
      const answers = await Promise.all(first);
      expect(answers.every((n) => n === before || n === before + 1)).toBe(true);
      expect(await late).toBe(before + 1);
      expect(queries).toBeLessThanOrEqual(3);
    } finally {
      await counted.destroy();
    }
  });
});
