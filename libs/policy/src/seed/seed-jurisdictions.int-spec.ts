import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { EventStore } from '@app/event-store';
import type { RegisterJurisdiction } from '../domain';
import { policyInlineProjections } from '../projections';
import { readOcdDirectory } from './ocd-directory';
import { seedJurisdictions } from './seed-jurisdictions';

const US = 'ocd-division/country:us';
const NJ = `${US}/state:nj`;
const CAPE_MAY = `${NJ}/county:cape_may`;

// A slice with every depth: country, states, counties, places, and townships under a county.
const slice = readOcdDirectory({
  filter: (id) => id === US || id === NJ || id.startsWith(CAPE_MAY) || id.startsWith(`${US}/state:ri`),
}).commands;

describe('seedJurisdictions', () => {
  let test: TestDatabase<any>;
  let store: EventStore;
  const eventCount = async () =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(test.db)).rows[0].n);

  beforeEach(async () => {
    test = await createTestDatabase();
    store = new EventStore(test.db, { inlineProjections: policyInlineProjections, notify: false });
  });
  afterEach(() => test.drop());

  it('registers a slice of the OCD directory once, however often it runs', async () => {
    const progress: number[] = [];
    const first = await seedJurisdictions(store, slice, { batchSize: 7, onProgress: (p) => progress.push(p.done) });
    expect(first).toMatchObject({ total: slice.length, registered: slice.length, existing: 0, rejected: 0 });
    expect(progress.at(-1)).toBe(slice.length);
    expect(await eventCount()).toBe(slice.length);

    const second = await seedJurisdictions(store, slice);
    expect(second).toMatchObject({ registered: 0, existing: slice.length, rejected: 0 });
    expect(await eventCount()).toBe(slice.length);
  });

  it('builds each jurisdiction with its ancestors, nearest first', async () => {
    await seedJurisdictions(store, slice, { batchSize: 3 });
    const row = await test.db
      .selectFrom('jurisdictions')
      .selectAll()
      .where('id', '=', `${CAPE_MAY}/place:dennis`)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Dennis township', level: 'municipal', parent_id: CAPE_MAY, ancestors: [CAPE_MAY, NJ, US] });
    const county = await test.db.selectFrom('jurisdictions').select(['level', 'ancestors']).where('id', '=', CAPE_MAY).executeTakeFirstOrThrow();
    expect(county).toEqual({ level: 'county', ancestors: [NJ, US] });
  });

  it('resumes: registers only what an earlier, partial run left out', async () => {
    await seedJurisdictions(store, slice.slice(0, 10));
    const rest = await seedJurisdictions(store, slice);
    expect(rest).toMatchObject({ registered: slice.length - 10, existing: 10 });
  });

  it('rejects, and reports, a jurisdiction whose parent is not registered', async () => {
    const orphan: RegisterJurisdiction = { type: 'RegisterJurisdiction', data: { id: `${US}/state:zz/place:nowhere`, name: 'Nowhere' } };
    const result = await seedJurisdictions(store, [...slice, orphan]);
    expect(result).toMatchObject({ registered: slice.length, rejected: 1 });
    expect(result.rejections).toEqual([expect.objectContaining({ id: orphan.data.id, code: 'JURISDICTION.UNKNOWN' })]);
  });

  it('lets two seeders race without failing or registering anything twice', async () => {
    const [a, b] = await Promise.all([seedJurisdictions(store, slice, { batchSize: 5 }), seedJurisdictions(store, slice, { batchSize: 5 })]);
    expect(a.registered + b.registered).toBe(slice.length);
    expect(a.registered + a.existing).toBe(slice.length);
    expect(await eventCount()).toBe(slice.length);
  });
});
