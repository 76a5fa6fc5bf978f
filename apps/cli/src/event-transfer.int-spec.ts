import { Readable, Writable } from 'node:stream';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { EventStore, loadDecideAppend } from '@app/event-store';
import {
  decideAction,
  evolveAction,
  initialActionState,
  policyInlineProjections,
  type ActionEvent,
} from '@app/policy';
// The seed loaders are not (yet) exported from @app/policy.
import { CURATED_ACTION_IDS, readOcdDirectory, seedCurated, seedJurisdictions } from '../../../libs/policy/src/seed';
import { exportEvents, ImportError, importEvents } from './event-transfer';

const storeOn = (test: TestDatabase<any>) => new EventStore(test.db, { inlineProjections: policyInlineProjections, notify: false });

async function exportText(store: EventStore): Promise<string> {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  await exportEvents(store, sink, { pageSize: 100 });
  return chunks.join('');
}

/**
 * Every committed event in commit order, read directly: the store's gap-safe reads may stop
 * short while other test files hold transactions open on the same server.
 */
async function allEvents(test: TestDatabase<any>) {
  const rows = await test.db
    .selectFrom('events')
    .select(['position', 'stream_id', 'stream_version', 'type', 'schema_version', 'data', 'metadata'])
    .orderBy('transaction_id')
    .orderBy('position')
    .execute();
  return rows.map((r) => ({
    position: r.position as number,
    // What an import must carry over: everything but the store-assigned position, transaction and time.
    essence: {
      streamId: r.stream_id,
      streamVersion: r.stream_version,
      type: r.type,
      schemaVersion: r.schema_version,
      data: r.data,
      metadata: r.metadata,
    },
  }));
}

describe('export and import', () => {
  let source: TestDatabase<any>;
  let target: TestDatabase<any>;
  let text: string;

  beforeAll(async () => {
    source = await createTestDatabase();
    const store = storeOn(source);
    const US = 'ocd-division/country:us';
    await seedJurisdictions(store, readOcdDirectory({ filter: (id) => id === US || id.startsWith(`${US}/state:ri`) }).commands);
    await seedCurated(store);
    // A correction makes a stream with two versions whose second comes after other streams.
    const id = CURATED_ACTION_IDS.walshStatement;
    await loadDecideAppend(store, `action-${id}`, {
      initialState: initialActionState,
      evolve: (state, e) => evolveAction(state, e as unknown as ActionEvent),
      decide: (state) =>
        decideAction({ type: 'CorrectAction', data: { actionId: id, changes: { title: 'Corrected title' }, reason: 'test' } }, state, {
          missingJurisdictions: [],
          missingActions: [],
        }),
    }, { metadata: { actor: 'test', correlationId: 'c-1' } });
    text = await exportText(store);
  });
  beforeEach(async () => (target = await createTestDatabase()));
  afterEach(() => target.drop());
  afterAll(() => source.drop());

  it('writes one JSON event per line, in commit order', async () => {
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { position: number; streamId: string });
    const events = await allEvents(source);
    expect(lines.map((l) => l.position)).toEqual(events.map((e) => e.position));
    expect(lines.at(-1)!.streamId).toBe(`action-${CURATED_ACTION_IDS.walshStatement}`);
  });

  it('reproduces the same events, and the same read models, in a fresh database', async () => {
    const store = storeOn(target);
    const result = await importEvents(store, Readable.from([text]), { batchSize: 37 });
    const events = await allEvents(source);
    expect(result).toMatchObject({ imported: events.length, skipped: 0 });
    expect((await allEvents(target)).map((e) => e.essence)).toEqual(events.map((e) => e.essence));

    const walsh = (db: TestDatabase<any>) =>
      db.db.selectFrom('actions').select(['version', 'title', 'status']).where('id', '=', CURATED_ACTION_IDS.walshStatement).executeTakeFirst();
    expect(await walsh(target)).toEqual({ version: 2, title: 'Corrected title', status: 'published' });
    const jurisdictions = (db: TestDatabase<any>) =>
      db.db.selectFrom('jurisdictions').select(['id', 'name', 'level', 'parent_id', 'ancestors']).orderBy('id').execute();
    expect(await jurisdictions(target)).toEqual(await jurisdictions(source));
  });

  it('appends nothing twice: a second or resumed import skips what is there', async () => {
    const store = storeOn(target);
    const lines = text.split('\n');
    const half = lines.slice(0, Math.floor(lines.length / 2)).join('\n');
    const first = await importEvents(store, Readable.from([half]));
    const rest = await importEvents(store, Readable.from([text]));
    expect(rest.skipped).toBe(first.imported);
    expect(first.imported + rest.imported).toBe((await allEvents(source)).length);
    const again = await importEvents(store, Readable.from([text]));
    expect(again.imported).toBe(0);
  });

  it('refuses a file that skips a stream version, naming the line', async () => {
    const event = (v: number) =>
      JSON.stringify({ streamId: 'test-1', streamVersion: v, type: 'Tested', schemaVersion: 1, data: {}, metadata: {} });
    const promise = importEvents(storeOn(target), Readable.from([`${event(1)}\n${event(3)}\n`]));
    await expect(promise).rejects.toThrow(ImportError);
    await expect(importEvents(storeOn(target), Readable.from([`${event(1)}\n${event(3)}\n`]))).rejects.toThrow(/^line 2: /);
    await expect(importEvents(storeOn(target), Readable.from(['{"streamId": 1}\n']))).rejects.toThrow(/^line 1: streamId/);
  });
});

describe('export while a transaction is running', () => {
  let test: TestDatabase<any>;
  beforeAll(async () => (test = await createTestDatabase()));
  afterAll(() => test.drop());

  it('waits for it, so every event committed by the end is in the file', async () => {
    const store = storeOn(test);
    await store.append('test-a', [{ type: 'Tested', data: {} }], { expectedVersion: 'no_stream' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const started = new Promise<void>((resolve) => (inserted = resolve));
    const slow = test.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO events (stream_id, stream_version, type, data) VALUES ('test-c', 1, 'Tested', '{}')`.execute(trx);
      inserted();
      await held;
    });
    await started;
    const exporting = exportText(store);
    setTimeout(release, 300);
    await slow;
    const streams = (await exporting).trimEnd().split('\n').map((l) => (JSON.parse(l) as { streamId: string }).streamId);
    expect(streams).toEqual(['test-a', 'test-c']);
  });
});
