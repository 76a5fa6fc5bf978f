import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { EventStore } from './event-store';
import { VersionConflictError } from './event-store.errors';
import { loadDecideAppend, type LoadDecideAppend } from './command-handling';
import { uniqueId } from './testing/helpers';
import type { NewEvent, ReadStreamOptions, StoredEvent } from './types';

interface Counter {
  count: number;
  closed: boolean;
}

function counter(decide: (state: Counter, version: number) => NewEvent[], expectedVersion?: number): LoadDecideAppend<Counter> {
  return {
    initialState: { count: 0, closed: false },
    evolve: (state, event) =>
      event.type === 'Incremented' ? { ...state, count: state.count + event.data.by } : event.type === 'Closed' ? { ...state, closed: true } : state,
    decide,
    expectedVersion,
  };
}

const inc = (by: number): NewEvent => ({ type: 'Incremented', data: { by } });

describe('loadDecideAppend', () => {
  let database: TestDatabase<any>;
  let store: EventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new EventStore(database.db);
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('folds the stream, decides on that state and version, and appends at that version', async () => {
    const id = uniqueId('counter');
    const first = await loadDecideAppend(store, id, counter((_, version) => (version === 0 ? [inc(2)] : [])));
    expect(first).toMatchObject({ version: 1, state: { count: 2, closed: false }, replayed: false });

    const seen: [Counter, number][] = [];
    const second = await loadDecideAppend(
      store,
      id,
      counter((state, version) => {
        seen.push([state, version]);
        return [inc(3), inc(4), { type: 'Closed', data: {} }];
      }),
      { metadata: { actor: 'carol' } },
    );
    expect(seen).toEqual([[{ count: 2, closed: false }, 1]]);
    expect(second).toMatchObject({ version: 4, state: { count: 9, closed: true } });
    const events = await store.readStream(id);
    expect(events.map((e) => e.type)).toEqual(['Incremented', 'Incremented', 'Incremented', 'Closed']);
    expect(events[3].metadata.actor).toBe('carol');
  });

  it('refuses a stale expected version (If-Match) before deciding, with the actual version', async () => {
    const id = uniqueId('counter');
    await store.append(id, [inc(1), inc(1)], { expectedVersion: 'no_stream' });
    const decide = jest.fn(() => [inc(1)]);

    const err = await loadDecideAppend(store, id, counter(decide, 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VersionConflictError);
    expect(err).toMatchObject({ streamId: id, expectedVersion: 1, actualVersion: 2 });
    expect(decide).not.toHaveBeenCalled();
    expect(await store.streamVersion(id)).toBe(2);

    expect(await loadDecideAppend(store, id, counter(decide, 2))).toMatchObject({ version: 3, state: { count: 3 } });
  });

  it('fails with a VersionConflictError when another writer appends between load and append', async () => {
    const id = uniqueId('counter');
    await store.append(id, [inc(1)], { expectedVersion: 'no_stream' });
    let interloper: (() => Promise<unknown>) | undefined = () => store.append(id, [inc(100)], { expectedVersion: 1 });
    // A store whose read is followed, before the command appends, by another writer's append.
    class RacedStore extends EventStore {
      override async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
        const events = await super.readStream(streamId, options);
        const run = interloper;
        interloper = undefined;
        await run?.();
        return events;
      }
    }

    const err = await loadDecideAppend(new RacedStore(database.db), id, counter(() => [inc(5)])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VersionConflictError);
    expect(err).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
    expect((await store.readStream(id)).map((e) => e.data.by)).toEqual([1, 100]);
  });

  it('appends nothing when decide throws', async () => {
    const id = uniqueId('counter');
    await store.append(id, [{ type: 'Closed', data: {} }], { expectedVersion: 'no_stream' });
    const closedCounter = counter((state) => {
      if (state.closed) throw new Error('counter is closed');
      return [inc(1)];
    });
    await expect(loadDecideAppend(store, id, closedCounter)).rejects.toThrow('counter is closed');
    expect(await store.streamVersion(id)).toBe(1);
  });

  it('a create decides without loading and fails with a conflict, appending nothing, if the stream exists', async () => {
    const id = uniqueId('counter');
    const create = { ...counter(() => [inc(7)]), createsStream: true };
    const read = jest.spyOn(store, 'readStream');
    expect(await loadDecideAppend(store, id, create)).toMatchObject({ version: 1, state: { count: 7 } });
    expect(read).not.toHaveBeenCalled();
    read.mockRestore();

    const err = await loadDecideAppend(store, id, create).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VersionConflictError);
    expect(err).toMatchObject({ streamId: id, expectedVersion: 0, actualVersion: 1 });
    expect((await store.readStream(id)).map((e) => e.data.by)).toEqual([7]);
  });
});
