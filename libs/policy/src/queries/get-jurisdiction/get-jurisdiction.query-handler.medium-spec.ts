import { CorrectActionCommand } from '../../commands/correct-action/correct-action.command';
import { RejectActionCommand } from '../../commands/reject-action/reject-action.command';
import { RegisterJurisdictionCommand } from '../../commands/register-jurisdiction/register-jurisdiction.command';
import { createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { GetJurisdictionQuery } from './get-jurisdiction.query';

describe('GetJurisdictionHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const get = (id: string) => ctx.getJurisdiction.execute(new GetJurisdictionQuery(id));

  it('answers its place in the tree', async () => {
    expect(await get(J.ny)).toMatchObject({
      id: J.ny,
      name: 'New York',
      level: 'state',
      parentId: J.us,
      ancestors: [J.us],
      registeredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      childCount: 2,
    });
    expect(await get(J.us)).toMatchObject({ parentId: null, ancestors: [], childCount: 2 });
    expect(await get(J.santaClara)).toMatchObject({ ancestors: [J.ca, J.us], childCount: 0 });
  });

  it('counts only published actions directly on its timeline, by acting level and kind, and names the latest by date', async () => {
    expect(await get(J.syracuse)).toMatchObject({ counts: { byLevel: {}, byKind: {}, total: 0 }, latestAction: null });

    const own = { actingJurisdictionId: J.syracuse, affectedJurisdictionIds: [J.syracuse] };
    const pledge = await ctx.record({ ...own, kind: 'defiance_pledge', title: 'Mayor pledges', occurredOn: { date: '2017-03', precision: 'month' } });
    await ctx.record({ ...own, kind: 'public_statement', occurredOn: { date: '2017-01-26', precision: 'day' } });
    // Recorded last but happened first: not the latest.
    await ctx.record({ ...own, kind: 'public_statement', occurredOn: { date: '2016-11-20', precision: 'day' } });
    // Federal and state actions naming Syracuse directly count under their acting level.
    await ctx.record({ kind: 'grant_condition', affectedJurisdictionIds: [J.syracuse], occurredOn: { date: '2017-02-01', precision: 'day' } });
    await ctx.record({ kind: 'legislation', actingJurisdictionId: J.ny, affectedJurisdictionIds: [J.syracuse], occurredOn: { date: '2017-01-02', precision: 'day' } });
    // What reaches it only through New York or the country does not.
    await ctx.record({ kind: 'executive_order', affectedJurisdictionIds: [J.us], occurredOn: { date: '2017-12-01', precision: 'day' } });
    await ctx.record({ kind: 'legislation', actingJurisdictionId: J.ny, affectedJurisdictionIds: [J.ny], occurredOn: { date: '2017-12-01', precision: 'day' } });
    // Nor what is not published.
    const proposal = await ctx.propose({ ...own, kind: 'ordinance', occurredOn: { date: '2017-12-31', precision: 'day' } });
    await ctx.rejectAction.execute(new RejectActionCommand({ actionId: proposal.id, reason: 'not adopted' }));
    await ctx.propose({ ...own, kind: 'ordinance', occurredOn: { date: '2017-12-31', precision: 'day' } });

    const detail = await get(J.syracuse);
    expect(detail.counts).toEqual({
      byLevel: { municipal: 3, federal: 1, state: 1 },
      byKind: { defiance_pledge: 1, public_statement: 2, grant_condition: 1, legislation: 1 },
      total: 5,
    });
    expect(detail.latestAction).toEqual({ actionId: pledge.id, title: 'Mayor pledges', kind: 'defiance_pledge', occurredOn: '2017-03' });
  });

  it('counts what an action is now, not what it was', async () => {
    const { id } = await ctx.record({ actingJurisdictionId: J.santaClara, affectedJurisdictionIds: [J.santaClara], kind: 'public_statement' });
    await ctx.correctAction.execute(new CorrectActionCommand({ actionId: id, changes: { kind: 'lawsuit_filing' }, reason: 'it was a filing' }));
    expect((await get(J.santaClara)).counts).toEqual({ byLevel: { county: 1 }, byKind: { lawsuit_filing: 1 }, total: 1 });
  });

  it('answers JURISDICTION.UNKNOWN for an id not registered', async () => {
    const boston = 'ocd-division/country:us/state:ma/place:boston';
    await expect(get(boston)).rejects.toMatchObject({ code: 'JURISDICTION.UNKNOWN', details: { id: boston } });
  });

  it('names itself with its state, and a consolidated city-county its twin', async () => {
    expect(await get(J.santaClara)).toMatchObject({ displayName: 'Santa Clara County, CA', consolidatedWith: null });
    expect(await get(J.newYork)).toMatchObject({ displayName: 'New York, NY', consolidatedWith: null });
    const county = 'ocd-division/country:us/state:ca/county:san_francisco';
    const city = 'ocd-division/country:us/state:ca/place:san_francisco';
    await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand({ id: county, name: 'San Francisco County' }));
    await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand({ id: city, name: 'San Francisco city' }));
    await ctx.settled();
    expect(await get(city)).toMatchObject({
      displayName: 'San Francisco, CA',
      consolidatedWith: { id: county, name: 'San Francisco County', displayName: 'San Francisco County, CA', level: 'county', parentId: J.ca },
    });
    expect(await get(county)).toMatchObject({ consolidatedWith: { id: city, displayName: 'San Francisco, CA' } });
  });
});
