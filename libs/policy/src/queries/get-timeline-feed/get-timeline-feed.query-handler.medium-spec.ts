import { CorrectActionCommand } from '../../commands/correct-action/correct-action.command';
import { createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { GetTimelineFeedQuery } from './get-timeline-feed.query';
import { GetTimelineFeedHandler } from './get-timeline-feed.query-handler';

describe('GetTimelineFeedHandler', () => {
  let ctx: PolicyTestContext;
  let handler: GetTimelineFeedHandler;
  const a: Record<string, string> = {};

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
    handler = new GetTimelineFeedHandler(ctx.timelines, ctx.actions, ctx.jurisdictions);
    const day = (date: string) => ({ date, precision: 'day' as const });
    a.order = (await ctx.record({ kind: 'executive_order', occurredOn: day('2017-01-25') })).id;
    // On the state's timeline and the country's: reaches the county once, through the state.
    a.both = (await ctx.record({ kind: 'grant_condition', affectedJurisdictionIds: [J.ca, J.us], occurredOn: day('2017-03-27') })).id;
    a.county = (await ctx.record({ actingJurisdictionId: J.santaClara, affectedJurisdictionIds: [J.santaClara], occurredOn: day('2017-02-01') })).id;
    a.elsewhere = (await ctx.record({ actingJurisdictionId: J.newYork, affectedJurisdictionIds: [J.newYork], occurredOn: day('2017-02-02') })).id;
    a.proposed = (await ctx.propose({ actingJurisdictionId: J.santaClara, affectedJurisdictionIds: [J.santaClara] })).id;
  });
  afterAll(() => ctx?.close());

  const feed = (filters = {}) => handler.execute(new GetTimelineFeedQuery(J.santaClara, filters));

  it('lists the latest recorded entries first, each action once, as the timeline selects them', async () => {
    const f = await feed();
    expect(f.jurisdictionName).toBe('Santa Clara County');
    expect(f.entries.map((e) => [e.actionId, e.via])).toEqual([
      [a.county, null],
      [a.both, J.ca],
      [a.order, J.us],
    ]);
    expect(f.entries[1]).toMatchObject({ viaName: 'California', actingJurisdictionName: 'United States', summary: expect.any(String) });
    for (const e of f.entries) expect(e.changedAt).toBe(e.firstRecordedAt);
  });

  it('brings a changed entry to the top, keeping when it was first recorded', async () => {
    await ctx.correctAction.execute(new CorrectActionCommand({ actionId: a.order, changes: { title: 'Corrected title' }, reason: 'typo' }));
    const f = await feed();
    expect(f.entries.map((e) => e.actionId)).toEqual([a.order, a.county, a.both]);
    expect(f.entries[0].title).toBe('Corrected title');
    expect(new Date(f.entries[0].changedAt).getTime()).toBeGreaterThan(new Date(f.entries[0].firstRecordedAt).getTime());
  });

  it('keeps to the filters and the limit', async () => {
    expect((await feed({ limit: 2 })).entries.map((e) => e.actionId)).toEqual([a.order, a.county]);
    expect((await feed({ inherited: false })).entries.map((e) => e.actionId)).toEqual([a.county]);
    expect((await feed({ statuses: ['proposed'] })).entries.map((e) => e.actionId)).toEqual([a.proposed]);
    expect((await feed({ kinds: ['grant_condition'] })).entries.map((e) => e.actionId)).toEqual([a.both]);
  });
});
