import { RegisterJurisdictionCommand } from '../../commands/register-jurisdiction/register-jurisdiction.command';
import { createPolicyTestContext, J, TREE, type PolicyTestContext } from '../../testing';
import { SearchJurisdictionsQuery } from './search-jurisdictions.query';

// Names with LIKE's wildcards in them, and near misses that a wildcard would match.
const ODD = [
  { id: 'ocd-division/country:us/state:ny/place:percent_city', name: '100% City' },
  { id: 'ocd-division/country:us/state:ny/place:percent_town', name: '100 Percent Town' },
  { id: 'ocd-division/country:us/state:ny/place:under_city', name: 'Under_Score city' },
  { id: 'ocd-division/country:us/state:ny/place:underx_city', name: 'UnderXScore city' },
];

describe('SearchJurisdictionsHandler', () => {
  let ctx: PolicyTestContext;
  let allIds: string[];

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
    for (const j of ODD) await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand(j));
    allIds = [...TREE, ...ODD].map((j) => j.id).sort();
  });
  afterAll(() => ctx?.close());

  const search = (filters: SearchJurisdictionsQuery['filters'] = {}) => ctx.searchJurisdictions.execute(new SearchJurisdictionsQuery(filters));
  const ids = async (filters: SearchJurisdictionsQuery['filters']) => (await search(filters)).items.map((i) => i.id);

  it('lists the directory in id order, with each entry\'s level and parent', async () => {
    const page = await search();
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((i) => i.id)).toEqual(allIds);
    expect(page.items.find((i) => i.id === J.santaClara)).toEqual({ id: J.santaClara, name: 'Santa Clara County', level: 'county', parentId: J.ca });
    expect(page.items.find((i) => i.id === J.us)).toMatchObject({ level: 'federal', parentId: null });
  });

  it('matches part of the name in any case', async () => {
    expect(await ids({ q: 'new york' })).toEqual([J.ny, J.newYork]);
    expect(await ids({ q: 'YORK C' })).toEqual([J.newYork]);
    expect(await ids({ q: 'cLaRa' })).toEqual([J.santaClara]);
    expect(await ids({ q: '' })).toEqual(allIds);
  });

  it('takes % and _ in the query literally', async () => {
    expect(await ids({ q: '%' })).toEqual([ODD[0].id]);
    expect(await ids({ q: '100%' })).toEqual([ODD[0].id]);
    expect(await ids({ q: 'under_score' })).toEqual([ODD[2].id]);
    expect(await ids({ q: '_' })).toEqual([ODD[2].id]);
    expect(await ids({ q: '\\' })).toEqual([]);
  });

  it('filters by level, with or without a query', async () => {
    expect(await ids({ level: 'state' })).toEqual([J.ca, J.ny]);
    expect(await ids({ level: 'municipal', q: 'city' })).toEqual([J.newYork, ...ODD.filter((o) => /city/i.test(o.name)).map((o) => o.id), J.syracuse].sort());
  });

  it('pages through every match once, in order, then says there is no next page', async () => {
    for (const filters of [{}, { level: 'municipal' as const }]) {
      const whole = await ids(filters);
      for (const limit of [1, 2, 3]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await search({ ...filters, limit, cursor });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(seen).toEqual(whole);
      }
    }
    // An exact fit: the page that holds the last entry has no next cursor.
    expect((await search({ limit: allIds.length })).nextCursor).toBeNull();
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(search({ cursor: Buffer.from('not an id').toString('base64url') })).rejects.toMatchObject({
      code: 'JURISDICTION.INVALID',
      errors: [{ path: 'query.cursor', message: expect.any(String) }],
    });
  });
});
