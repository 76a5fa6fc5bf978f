import 'reflect-metadata';
import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { CqrsModule, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { sql } from 'kysely';
import { EventStore } from './event-store';
import { VersionConflictError } from './event-store.errors';
import { EventAppended, EventStoreModule } from './event-store.module';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { eventually, sleep, uniqueId } from './testing/helpers';

/** What each EventAppended handler call found: the event, and whether the database already had it. */
const delivered: Promise<{ position: number; type: string; stored: boolean }>[] = [];
let database: TestDatabase<any>;

@EventsHandler(EventAppended)
class RecordingHandler implements IEventHandler<EventAppended> {
  handle({ event }: EventAppended): void {
    delivered.push(
      // Another connection: the event is visible there only if its transaction has committed.
      sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE "position" = ${event.position}`
        .execute(database.db)
        .then(({ rows }) => ({ position: event.position, type: event.type, stored: rows[0].n === 1 })),
    );
  }
}

describe('EventStoreModule', () => {
  let moduleRef: TestingModule;
  let store: EventStore;

  const seenByProjection: number[] = [];
  const projection: Projection = {
    name: 'module_seen',
    eventTypes: ['Happened'],
    async handle(_trx, events) {
      seenByProjection.push(...events.map((e) => e.position));
    },
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    moduleRef = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule.forRootAsync({
          useFactory: () => ({
            db: database.db,
            projections: [projection],
            // Holds each append's transaction open a while after the insert: an event published
            // before the commit would be looked for, and missed, in that window.
            inlineProjections: [{ name: 'slow_commit', eventTypes: ['Happened'], handle: () => sleep(100) }],
            runProjections: true,
            pollMs: 50,
          }),
        }),
      ],
      providers: [RecordingHandler],
    }).compile();
    await moduleRef.init();
    store = moduleRef.get(EventStore);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  it('publishes EventAppended on the EventBus for each event, only once it is stored', async () => {
    const id = uniqueId('thing');
    const { positions } = await store.append(id, [{ type: 'Happened', data: { n: 1 } }, { type: 'Happened', data: { n: 2 } }], {
      expectedVersion: 'no_stream',
    });
    await eventually(async () => delivered.length >= 2);
    expect(await Promise.all(delivered)).toEqual(positions.map((position) => ({ position, type: 'Happened', stored: true })));
  });

  it('publishes nothing for an append that fails', async () => {
    const id = uniqueId('thing');
    await store.append(id, [{ type: 'Happened', data: {} }], { expectedVersion: 'no_stream' });
    await eventually(async () => delivered.length >= 3);
    const before = delivered.length;

    await expect(store.append(id, [{ type: 'Happened', data: {} }], { expectedVersion: 'no_stream' })).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    await sleep(100);
    expect(delivered).toHaveLength(before);
  });

  it('runs the configured projections in the application', async () => {
    const runner = moduleRef.get(ProjectionRunner);
    const { lastPosition } = await store.append(uniqueId('thing'), [{ type: 'Happened', data: {} }], {
      expectedVersion: 'no_stream',
    });
    await runner.waitForPosition(lastPosition, 5000);
    expect(seenByProjection).toContain(lastPosition);
    expect((await runner.status()).map((s) => [s.name, s.lastError])).toEqual([['module_seen', null]]);
  });
});
