import { ComparisonRepository } from '../../repositories/comparison.repository';
import { createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { GetTimelineQuery } from '../get-timeline/get-timeline.query';
import { CompareTimelinesHandler } from './compare-timelines.query-handler';
import { CompareTimelinesQuery, type CompareFilters, type ComparisonRow } from './compare-timelines.query';

describe('CompareTimelinesHandler', () => {
  let ctx: PolicyTestContext;
  let handler: CompareTimelinesHandler;
  const a: Record<string, string> = {};
  const day = (date: string) => ({ date, precision: 'day' as const });

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    handler = new CompareTimelinesHandler(ctx.jurisdictions, new ComparisonRepository(ctx.db));
    await ctx.registerTree();
    a.order = (await ctx.record({ kind: 'executive_order', occurredOn: day('2017-01-25') })).id;
    a.nycPledge = (await ctx.record({
      kind: 'defiance_pledge',
      actingJurisdictionId: J.newYork,
      affectedJurisdictionIds: [J.newYork],
      occurredOn: day('2017-01-25'),
    })).id;
    a.lawsuit = (await ctx.record({
      kind: 'lawsuit_filing',
      actingJurisdictionId: J.santaClara,
      affectedJurisdictionIds: [J.us],
      occurredOn: day('2017-02-03'),
    })).id;
    a.toCalifornia = (await ctx.record({ kind: 'grant_condition', affectedJurisdictionIds: [J.ca], occurredOn: day('2017-03-27') })).id;
    a.toNewYork = (await ctx.record({ kind: 'grant_condition', affectedJurisdictionIds: [J.ny], occurredOn: day('2017-03-28') })).id;
    a.joint = (await ctx.record({
      kind: 'public_statement',
      actingJurisdictionId: J.newYork,
      affectedJurisdictionIds: [J.newYork, J.syracuse],
      occurredOn: { date: '2017-04', precision: 'month' },
    })).id;
    // Reaches none of the compared timelines: the federal government merely acting.
    a.federalOnly = (await ctx.record({ kind: 'agency_report', affectedJurisdictionIds: [J.ny], actingJurisdictionId: J.us, occurredOn: day('2017-02-01') })).id;
  });
  afterAll(() => ctx?.close());

  const compare = (ids: string[], filters: CompareFilters = {}) => handler.execute(new CompareTimelinesQuery(ids, filters));
  const cells = (r: ComparisonRow) => [r.actionId, r.shared, r.columns.map((c) => [c.jurisdictionId, c.inherited, c.via])];

  it('aligns the timelines by date, a shared action once across its columns, own acts in their column', async () => {
    const result = await compare([J.santaClara, J.syracuse, J.newYork]);
    expect(result.jurisdictions).toEqual([
      { id: J.santaClara, name: 'Santa Clara County', level: 'county' },
      { id: J.syracuse, name: 'Syracuse city', level: 'municipal' },
      { id: J.newYork, name: 'New York city', level: 'municipal' },
    ]);
    expect(result).toMatchObject({ from: null, to: null, nextCursor: null });
    expect(result.rows.map(cells)).toEqual([
      [a.order, true, [[J.santaClara, true, J.us], [J.syracuse, true, J.us], [J.newYork, true, J.us]]],
      [a.nycPledge, false, [[J.newYork, false, null]]],
      [a.federalOnly, true, [[J.syracuse, true, J.ny], [J.newYork, true, J.ny]]],
      // Santa Clara's own act, which named the country and so reached the others from above.
      [a.lawsuit, true, [[J.santaClara, false, null], [J.syracuse, true, J.us], [J.newYork, true, J.us]]],
      [a.toCalifornia, false, [[J.santaClara, true, J.ca]]],
      [a.toNewYork, true, [[J.syracuse, true, J.ny], [J.newYork, true, J.ny]]],
      // Naming two of them: own in both.
      [a.joint, true, [[J.syracuse, false, null], [J.newYork, false, null]]],
    ]);
    expect(result.rows[0].columns[0].viaName).toBe('United States');
    expect(result.rows.at(-1)).toMatchObject({ occurredOn: '2017-04', precision: 'month', level: 'municipal', kind: 'public_statement', sourceCount: 1 });
  });

  it('agrees with each jurisdiction’s own timeline', async () => {
    const result = await compare([J.santaClara, J.syracuse]);
    for (const id of [J.santaClara, J.syracuse]) {
      const timeline = await ctx.getTimeline.execute(new GetTimelineQuery(id));
      const inColumn = result.rows.flatMap((r) => r.columns.filter((c) => c.jurisdictionId === id).map((c) => [r.actionId, c.inherited, c.via]));
      expect(inColumn).toEqual(timeline.entries.map((e) => [e.actionId, e.inherited, e.via]));
    }
  });

  it('compares a jurisdiction with one inside it: what names the state is its own and inherited below', async () => {
    const result = await compare([J.ca, J.santaClara]);
    expect(result.rows.map(cells)).toEqual([
      [a.order, true, [[J.ca, true, J.us], [J.santaClara, true, J.us]]],
      [a.lawsuit, true, [[J.ca, true, J.us], [J.santaClara, false, null]]],
      [a.toCalifornia, true, [[J.ca, false, null], [J.santaClara, true, J.ca]]],
    ]);
  });

  it('pages with a cursor, no action split or repeated', async () => {
    const ids = [J.santaClara, J.syracuse, J.newYork];
    const all = (await compare(ids)).rows.map((r) => r.actionId);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await compare(ids, { limit: 2, cursor });
      expect(page.rows.length).toBeLessThanOrEqual(2);
      seen.push(...page.rows.map((r) => r.actionId));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(pages).toBe(4);
  });

  it('filters by kind, acting level and dates as the timeline does', async () => {
    const ids = [J.santaClara, J.newYork];
    const actionIds = async (f: CompareFilters) => (await compare(ids, f)).rows.map((r) => r.actionId);
    expect(await actionIds({ kinds: ['grant_condition'] })).toEqual([a.toCalifornia, a.toNewYork]);
    expect(await actionIds({ levels: ['county', 'municipal'] })).toEqual([a.nycPledge, a.lawsuit, a.joint]);
    expect(await actionIds({ from: '2017-03-01', to: '2017-03-31' })).toEqual([a.toCalifornia, a.toNewYork]);
    expect(await compare(ids, { from: '2017-03-01' })).toMatchObject({ from: '2017-03-01', to: null });
  });

  it('names an unregistered jurisdiction', async () => {
    const unknown = 'ocd-division/country:us/state:ca/place:nowhere';
    await expect(compare([J.santaClara, unknown])).rejects.toMatchObject({ code: 'JURISDICTION.UNKNOWN', details: { ids: [unknown] } });
  });
});
