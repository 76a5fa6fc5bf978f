import { sql } from 'kysely';
import { startApi, type ApiHarness } from '../../../test/support/api-harness';

// Readiness through Terminus: what probes get when the database or a projection fails.

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api?.close();
});

it('ready: 200 with the database up and every projection listed', async () => {
  const res = await api.get('/ready');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'ok', database: { status: 'up' }, projections: expect.any(Array) });
  expect(res.body.projections.map((p: { name: string }) => p.name).sort()).toEqual(['action-relations', 'ledger_seal']);
});

it('ready: 503 while a projection is stopped on an error, naming it and the event', async () => {
  const error = { message: 'boom', eventPosition: 3, eventType: 'action.recorded', streamId: 'action-x', at: new Date().toISOString() };
  await sql`UPDATE projection_checkpoints SET last_error = ${JSON.stringify(error)}::jsonb WHERE name = 'action-relations'`.execute(api.db);
  try {
    const res = await api.get('/ready');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'degraded',
      database: { status: 'up' },
      projections: expect.arrayContaining([
        expect.objectContaining({ name: 'action-relations', state: 'failed', lastError: error }),
        expect.objectContaining({ name: 'ledger_seal', lastError: null }),
      ]),
    });
  } finally {
    await sql`UPDATE projection_checkpoints SET last_error = NULL WHERE name = 'action-relations'`.execute(api.db);
  }
});

it('ready: 503 naming the database when it does not answer (health stays 200)', async () => {
  const down = await startApi();
  try {
    await down.db.destroy();
    const res = await down.get('/ready');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', database: { status: 'down', error: expect.any(String) } });
    expect((await down.get('/health')).status).toBe(200);
  } finally {
    await down.close().catch(() => undefined);
  }
});
