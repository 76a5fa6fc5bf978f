import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { sql } from 'kysely';
import { parseConfig } from '@app/config';
import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { EventStore, ProjectionRunner } from '@app/event-store';
import { actionStream } from '@app/policy';
import { WorkerModule } from './worker.module';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './testing/redis-keys';

describe('worker', () => {
  let t: TestDatabase<any>;
  let app: INestApplicationContext;
  const prefix = uniquePrefix('projections');

  beforeAll(async () => {
    t = await createTestDatabase();
    const config = parseConfig({ DATABASE_URL: t.url, REDIS_URL: TEST_REDIS_URL, BULLMQ_PREFIX: prefix, PROJECTION_POLL_MS: '10000' });
    app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ config, db: t.db, databaseUrl: t.url }), {
      logger: false,
    });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await deleteKeys(TEST_REDIS_URL, prefix);
    await t.drop();
  });

  it('builds the relation graph from links appended by another process', async () => {
    // Another process: its own store on its own connection; the worker hears of the append
    // only through NOTIFY (the poll interval is 10 s).
    const writer = new EventStore(t.db);
    const { lastPosition } = await writer.append(
      actionStream('statement-1'),
      [{ type: 'ActionLinked', data: { actionId: 'statement-1', relation: 'responds_to', targetId: 'order-1' } }],
      { expectedVersion: 'any' },
    );
    const started = Date.now();
    await app.get(ProjectionRunner).waitForPosition(lastPosition, 5000);
    expect(Date.now() - started).toBeLessThan(3000);
    const { rows } = await sql`SELECT source_id, relation, target_id FROM action_relations`.execute(t.db);
    expect(rows).toEqual([{ source_id: 'statement-1', relation: 'responds_to', target_id: 'order-1' }]);
    const [status] = await app.get(ProjectionRunner).status();
    expect(status).toMatchObject({ name: 'action-relations', position: lastPosition, lastError: null });
  });
});
