import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { EventStore } from './event-store';

// Transaction ids are numbers: 999 comes before 1000 even though '1000' < '999' as text.
describe('commit order across transaction ids of different lengths', () => {
  let t: TestDatabase<any>;

  beforeAll(async () => {
    t = await createTestDatabase();
    // Rows as transactions 999 and 1000 would have written them (both long committed).
    await sql`
      INSERT INTO events (transaction_id, stream_id, stream_version, type, data)
      VALUES ('999', 'a', 1, 'T', '{"n":1}'), ('999', 'a', 2, 'T', '{"n":2}'), ('1000', 'b', 1, 'T', '{"n":3}')`.execute(t.db);
  });

  afterAll(() => t.drop());

  it('reads page by page in numeric transaction order, each event once', async () => {
    const store = new EventStore(t.db, { notify: false });
    const seen: number[] = [];
    let after: string | undefined;
    for (let page = 0; page < 5; page++) {
      const result = await store.readAll({ after, limit: 1 });
      seen.push(...result.events.map((e) => (e.data as { n: number }).n));
      after = result.checkpoint;
      if (result.events.length === 0) break;
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  it('moves a filtered reader to the true head', async () => {
    const store = new EventStore(t.db, { notify: false });
    const first = await store.readAll({ types: ['Other'], limit: 10 });
    const next = await store.readAll({ after: first.checkpoint, limit: 10 });
    expect(first.events).toEqual([]);
    expect(next.events).toEqual([]);
  });
});
