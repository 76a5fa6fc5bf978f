import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { EventStore } from '@app/event-store';
import { policyInlineProjections } from '../projections';
import { actionStream } from '../streams';
import { CURATED_ACTION_IDS, curatedActions, curatedJurisdictions } from './curated-2017';
import { readOcdDirectory } from './ocd-directory';
import { seedCurated } from './seed-curated';
import { seedJurisdictions } from './seed-jurisdictions';

describe('seedCurated', () => {
  let test: TestDatabase<any>;
  let store: EventStore;

  beforeEach(async () => {
    test = await createTestDatabase();
    store = new EventStore(test.db, { inlineProjections: policyInlineProjections, notify: false });
  });
  afterEach(() => test.drop());

  it('records the curated 2017 actions, published, with their relations', async () => {
    const result = await seedCurated(store);
    expect(result.jurisdictions.registered).toBe(curatedJurisdictions.length);
    expect(result.actions).toEqual({ recorded: curatedActions.length, existing: 0 });

    const rows = await test.db.selectFrom('actions').select(['id', 'status', 'kind', 'acting_jurisdiction_id', 'state']).execute();
    expect(rows.map((r) => r.id).sort()).toEqual(Object.values(CURATED_ACTION_IDS).sort());
    expect(rows.every((r) => r.status === 'published')).toBe(true);
    const certification = rows.find((r) => r.id === CURATED_ACTION_IDS.grantCertification)!;
    expect(certification).toMatchObject({ kind: 'grant_condition', acting_jurisdiction_id: 'ocd-division/country:us' });
    expect(certification.state.relations).toEqual([
      { relation: 'implements', targetId: CURATED_ACTION_IDS.executiveOrder },
      { relation: 'amends', targetId: CURATED_ACTION_IDS.obamaGrantPolicy },
    ]);
    // New York's own actions sit on its timeline.
    const nyc = await test.db
      .selectFrom('timeline_entries')
      .select('action_id')
      .where('jurisdiction_id', '=', 'ocd-division/country:us/state:ny/place:new_york')
      .where('recorded_to', 'is', null)
      .execute();
    expect(nyc.map((r) => r.action_id)).toEqual(
      expect.arrayContaining([CURATED_ACTION_IDS.deBlasioStatement, CURATED_ACTION_IDS.conferencePledge]),
    );
  });

  it('appends nothing the second time', async () => {
    await seedCurated(store);
    const again = await seedCurated(store);
    expect(again.jurisdictions).toMatchObject({ registered: 0, existing: curatedJurisdictions.length });
    expect(again.actions).toEqual({ recorded: 0, existing: curatedActions.length });
    expect(await store.streamVersion(actionStream(CURATED_ACTION_IDS.executiveOrder))).toBe(1);
  });

  it('runs after the OCD directory, reusing the jurisdictions it registered', async () => {
    const ids = new Set(curatedJurisdictions.map((c) => c.data.id));
    await seedJurisdictions(store, readOcdDirectory({ filter: (id) => ids.has(id) }).commands);
    const result = await seedCurated(store);
    expect(result.jurisdictions).toMatchObject({ registered: 0, existing: curatedJurisdictions.length });
    expect(result.actions.recorded).toBe(curatedActions.length);
  });
});
