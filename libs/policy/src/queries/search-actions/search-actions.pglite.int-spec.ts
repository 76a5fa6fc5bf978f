import { createDb, migrateToLatest, type Database } from '@app/db';
import type { EmbeddedPostgres } from '@app/db/embedded';
import { startEmbeddedPostgresProcess } from '@app/db/testing';
import { EventStore, type EventStoreTables } from '@app/event-store';
import { policyDb } from '../../database';
import { policyInlineProjections } from '../../projections';
import { ActionSearchRepository } from '../../repositories/action-search.repository';
import { JurisdictionRepository } from '../../repositories/jurisdiction.repository';
import { CURATED_ACTION_IDS as A, seedCurated } from '../../seed';
import { SearchActionsQuery, type ActionSearchFilters } from './search-actions.query';
import { SearchActionsHandler } from './search-actions.query-handler';

// Search on the embedded default (PGlite), loaded with the curated 2017 dataset as `npm start`
// loads it: the search rows the projection writes (setweight, to_tsvector, jsonb_to_tsvector),
// the GIN indexes (the refs one partial), websearch_to_tsquery and ts_headline all run there as
// on Postgres.

jest.setTimeout(120_000);

const CHICAGO = 'ocd-division/country:us/state:il/place:chicago';
const IL = 'ocd-division/country:us/state:il';

describe('SearchActionsHandler on PGlite (embedded)', () => {
  let server: EmbeddedPostgres;
  let db: Database;
  let handler: SearchActionsHandler;

  beforeAll(async () => {
    server = await startEmbeddedPostgresProcess();
    // One connection, as openDatabase uses on PGlite (see libs/db/src/embedded.ts).
    db = createDb(server.url, { max: 1, prepareStatements: false });
    await migrateToLatest(db);
    const store = new EventStore(db.withTables<EventStoreTables>(), { inlineProjections: policyInlineProjections, notify: false });
    await seedCurated(store);
    const pdb = policyDb(store.db);
    handler = new SearchActionsHandler(new JurisdictionRepository(pdb), new ActionSearchRepository(pdb));
  });
  afterAll(async () => {
    await db?.destroy();
    await server?.stop();
  });

  const search = (q: string, filters: ActionSearchFilters = {}) => handler.execute(new SearchActionsQuery(q, filters));
  const ids = async (q: string, filters: ActionSearchFilters = {}) => (await search(q, filters)).results.map((r) => r.actionId);

  it('finds the executive order by its Federal Register citation, first', async () => {
    const r = await search('82 FR 8799');
    expect(r.results[0]).toMatchObject({ actionId: A.executiveOrder, exactMatch: true, level: 'federal', kind: 'executive_order' });
  });

  it('ranks, highlights and counts', async () => {
    const r = await search('sanctuary', { limit: 3 });
    expect(r.total).toBeGreaterThan(3);
    expect(r.results).toHaveLength(3);
    expect(Object.values(r.facets.kind).reduce((a, b) => a + b, 0)).toBe(r.total);
    expect(Object.values(r.facets.level).reduce((a, b) => a + b, 0)).toBe(r.total);
    expect(r.results.some((h) => h.snippet.includes('<mark>'))).toBe(true);
    const ranks = r.results.map((h) => h.rank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
  });

  it('reads web-search syntax', async () => {
    expect(await ids('"de blasio"')).toContain(A.deBlasioStatement);
    expect(await ids('miner or walsh')).toEqual(expect.arrayContaining([A.minerStatement, A.walshStatement]));
    expect(await ids('mayor -boston')).not.toContain(A.walshStatement);
    expect(await search('the')).toMatchObject({ total: 0, results: [] });
  });

  it("covers Chicago's own actions and what it inherited, not New York's", async () => {
    const chicago = await ids('funds or funding or grants', { jurisdictionId: CHICAGO, limit: 100 });
    expect(chicago).toEqual(expect.arrayContaining([A.chicagoCourtFiling, A.grantCertification]));
    expect(chicago).not.toContain(A.deBlasioStatement);
    // Illinois holds Chicago.
    expect(await ids('funds or funding or grants', { jurisdictionId: IL, limit: 100 })).toEqual(expect.arrayContaining([A.chicagoCourtFiling]));
  });

  it("answers the README's examples", async () => {
    const sanctuary = await search('sanctuary -chicago', { limit: 5 });
    expect(sanctuary.total).toBeGreaterThan(0);
    expect(sanctuary.results.map((r) => r.actionId)).not.toContain(A.chicagoCourtFiling);
    const syracuse = await ids('"federal funds" or grants', { jurisdictionId: 'ocd-division/country:us/state:ny/place:syracuse', limit: 100 });
    expect(syracuse).toContain(A.grantCertification);
    expect(syracuse).not.toContain(A.chicagoCourtFiling);
  });

  it('pages through every match once', async () => {
    const all = (await search('city or cities', { limit: 100 })).results.map((r) => r.actionId);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await search('city or cities', { limit: 2, cursor });
      seen.push(...page.results.map((r) => r.actionId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all);
  });
});
