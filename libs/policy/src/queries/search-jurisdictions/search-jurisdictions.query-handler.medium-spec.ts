import { RegisterJurisdictionCommand } from '../../commands/register-jurisdiction/register-jurisdiction.command';
import { createPolicyTestContext, J, TREE, type PolicyTestContext } from '../../testing';
import { SearchJurisdictionsQuery } from './search-jurisdictions.query';

const US = 'ocd-division/country:us';
// Names with LIKE's wildcards in them, and near misses that a wildcard would match.
const ODD = [
  { id: `${US}/state:ny/place:percent_city`, name: '100% City' },
  { id: `${US}/state:ny/place:percent_town`, name: '100 Percent Town' },
  { id: `${US}/state:ny/place:under_city`, name: 'Under_Score city' },
  { id: `${US}/state:ny/place:underx_city`, name: 'UnderXScore city' },
];
// Namesakes across states and kinds, short forms, and a consolidated city-county.
const P = {
  syracuseTown: `${US}/state:ny/place:syracuse_town`,
  eastSyracuse: `${US}/state:ny/place:east_syracuse`,
  syracuseHeights: `${US}/state:ny/place:syracuse_heights`,
  ks: `${US}/state:ks`,
  syracuseKs: `${US}/state:ks/place:syracuse`,
  pa: `${US}/state:pa`,
  phillyCounty: `${US}/state:pa/county:philadelphia`,
  philly: `${US}/state:pa/place:philadelphia`,
  ms: `${US}/state:ms`,
  phillyMs: `${US}/state:ms/place:philadelphia`,
  mo: `${US}/state:mo`,
  stLouis: `${US}/state:mo/place:st_louis`,
  sfCounty: `${US}/state:ca/county:san_francisco`,
  sf: `${US}/state:ca/place:san_francisco`,
};
const MORE = [
  { id: P.syracuseTown, name: 'Syracuse town' },
  { id: P.eastSyracuse, name: 'East Syracuse village' },
  { id: P.syracuseHeights, name: 'Syracuse Heights CDP' },
  { id: P.ks, name: 'Kansas' },
  { id: P.syracuseKs, name: 'Syracuse city' },
  { id: P.pa, name: 'Pennsylvania' },
  { id: P.phillyCounty, name: 'Philadelphia County' },
  { id: P.philly, name: 'Philadelphia city' },
  { id: P.ms, name: 'Mississippi' },
  { id: P.phillyMs, name: 'Philadelphia city' },
  { id: P.mo, name: 'Missouri' },
  { id: P.stLouis, name: 'St. Louis city' },
  { id: P.sfCounty, name: 'San Francisco County' },
  { id: P.sf, name: 'San Francisco city' },
];

describe('SearchJurisdictionsHandler', () => {
  let ctx: PolicyTestContext;
  let everyone: string[];

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
    for (const j of [...ODD, ...MORE]) await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand(j));
    everyone = [...TREE, ...ODD, ...MORE].map((j) => j.id);
  });
  afterAll(() => ctx?.close());

  const search = (filters: SearchJurisdictionsQuery['filters'] = {}) => ctx.searchJurisdictions.execute(new SearchJurisdictionsQuery(filters));
  const ids = async (filters: SearchJurisdictionsQuery['filters']) => (await search(filters)).items.map((i) => i.id);

  it('ranks whole names first, then names starting with the query, then names holding it; cities before towns', async () => {
    expect(await ids({ q: 'syracuse' })).toEqual([
      // Whole name (without its kind): the cities (by name, then id), then the town.
      P.syracuseKs, J.syracuse, P.syracuseTown,
      P.syracuseHeights, // starts with it
      P.eastSyracuse, // holds it
    ]);
    // "New York" is the city's name without its kind, and the state's whole name: the city first.
    expect(await ids({ q: 'new york' })).toEqual([J.newYork, J.ny]);
    expect(await ids({ q: 'New York city' })).toEqual([J.newYork]);
    expect(await ids({ q: 'YORK C' })).toEqual([J.newYork]);
    expect(await ids({ q: 'cLaRa' })).toEqual([J.santaClara]);
    // Whole names of either kind: the city, then the county.
    expect(await ids({ q: 'san francisco' })).toEqual([P.sf, P.sfCounty]);
    expect(await ids({ q: 'San Francisco County' })).toEqual([P.sfCounty]);
  });

  it('narrows to a state named after the name, by code or by name, with or without a comma', async () => {
    const nySyracuse = [J.syracuse, P.syracuseTown, P.syracuseHeights, P.eastSyracuse];
    expect(await ids({ q: 'syracuse, ny' })).toEqual(nySyracuse);
    expect(await ids({ q: 'Syracuse NY' })).toEqual(nySyracuse);
    expect(await ids({ q: 'syracuse, new york' })).toEqual(nySyracuse);
    expect(await ids({ q: 'syracuse ks' })).toEqual([P.syracuseKs]);
    expect(await ids({ q: 'philadelphia, pennsylvania' })).toEqual([P.philly, P.phillyCounty]);
    expect(await ids({ q: 'Philadelphia PA' })).toEqual([P.philly, P.phillyCounty]);
    expect(await ids({ q: 'san francisco, ca' })).toEqual([P.sf, P.sfCounty]);
    // A state's name alone is a name, not a filter.
    expect(await ids({ q: 'Pennsylvania' })).toEqual([P.pa]);
  });

  it('reads common short forms', async () => {
    for (const q of ['St. Louis', 'st louis', 'Saint Louis', 'saint louis city', 'St. Louis, MO']) expect(await ids({ q })).toEqual([P.stLouis]);
    expect(await ids({ q: 'NYC' })).toEqual([J.newYork]);
    expect(await ids({ q: 'philly' })).toEqual([P.philly, P.phillyCounty]);
  });

  it('names each entry with its state, and counts the published actions that reach it', async () => {
    await ctx.record({ affectedJurisdictionIds: [J.us] });
    await ctx.record({ actingJurisdictionId: J.ca, affectedJurisdictionIds: [J.ca] });
    // Acting on the county and naming the country: once on the city's timeline, through either path.
    await ctx.record({ kind: 'lawsuit_filing', actingJurisdictionId: P.sfCounty, affectedJurisdictionIds: [J.us] });
    await ctx.propose({ affectedJurisdictionIds: [J.us] }); // not published: not counted
    await ctx.settled();
    const page = await search({ q: 'san francisco' });
    expect(page.items).toEqual([
      { id: P.sf, name: 'San Francisco city', displayName: 'San Francisco, CA', level: 'municipal', parentId: J.ca, actionCount: 3 },
      { id: P.sfCounty, name: 'San Francisco County', displayName: 'San Francisco County, CA', level: 'county', parentId: J.ca, actionCount: 3 },
    ]);
    const byId = new Map((await search({ limit: 500 })).items.map((i) => [i.id, i]));
    expect(byId.get(J.santaClara)).toMatchObject({ displayName: 'Santa Clara County, CA', actionCount: 3 });
    expect(byId.get(J.syracuse)).toMatchObject({ displayName: 'Syracuse, NY', actionCount: 2 });
    expect(byId.get(P.syracuseTown)).toMatchObject({ displayName: 'Syracuse town, NY' });
    expect(byId.get(J.ca)).toMatchObject({ displayName: 'California', actionCount: 3 });
    expect(byId.get(J.us)).toMatchObject({ displayName: 'United States', actionCount: 2 });
  });

  it("lists a jurisdiction's children by parentId, ranked alike", async () => {
    expect(await ids({ parentId: J.ca })).toEqual([P.sf, P.sfCounty, J.santaClara]);
    expect(await ids({ parentId: P.pa })).toEqual([P.philly, P.phillyCounty]);
    expect(await ids({ parentId: J.ny, q: 'syracuse' })).toEqual([J.syracuse, P.syracuseTown, P.syracuseHeights, P.eastSyracuse]);
    expect(await ids({ parentId: J.syracuse })).toEqual([]);
  });

  it('takes % and _ in the query literally', async () => {
    expect(await ids({ q: '%' })).toEqual([ODD[0].id]);
    expect(await ids({ q: '100%' })).toEqual([ODD[0].id]);
    expect(await ids({ q: 'under_score' })).toEqual([ODD[2].id]);
    expect(await ids({ q: '_' })).toEqual([ODD[2].id]);
    expect(await ids({ q: '\\' })).toEqual([]);
  });

  it('filters by level, with or without a query', async () => {
    expect(await ids({ level: 'state' })).toEqual([J.ca, P.ks, P.ms, P.mo, J.ny, P.pa]);
    expect(await ids({ level: 'county', q: 'county' })).toEqual([P.phillyCounty, P.sfCounty, J.santaClara]);
  });

  it('lists everything without a query', async () => {
    expect((await ids({ limit: 500 })).sort()).toEqual([...everyone].sort());
  });

  it('pages through every match once, in order, then says there is no next page', async () => {
    for (const filters of [{}, { level: 'municipal' as const }, { q: 'syracuse' }, { q: 'philadelphia' }, { parentId: J.ny }]) {
      const whole = await ids({ ...filters, limit: 500 });
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
    expect((await search({ limit: everyone.length })).nextCursor).toBeNull();
  });

  it('refuses a cursor it did not issue', async () => {
    for (const cursor of [Buffer.from('not an id').toString('base64url'), Buffer.from('[0,0,"x","nope"]').toString('base64url'), '%%%']) {
      await expect(search({ cursor })).rejects.toMatchObject({
        code: 'JURISDICTION.INVALID',
        errors: [{ path: 'query.cursor', message: expect.any(String) }],
      });
    }
  });
});
