import { createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { GetTimelineQuery, type TimelineFilters } from '../get-timeline/get-timeline.query';
import { ExportTimelineQuery, type ExportedTimelineEntry } from './export-timeline.query';
import { ExportTimelineHandler } from './export-timeline.query-handler';

describe('ExportTimelineHandler', () => {
  let ctx: PolicyTestContext;
  let handler: ExportTimelineHandler;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
    handler = new ExportTimelineHandler(ctx.getTimeline, ctx.actions, ctx.jurisdictions);
    const day = (date: string) => ({ date, precision: 'day' as const });
    await ctx.record({ kind: 'executive_order', occurredOn: day('2017-01-25') });
    await ctx.record({ kind: 'grant_condition', affectedJurisdictionIds: [J.ca], occurredOn: day('2017-03-27'), sources: [] });
    await ctx.record({ kind: 'legislation', actingJurisdictionId: J.ca, affectedJurisdictionIds: [J.ca], occurredOn: { date: '2017-10', precision: 'month' } });
    for (let i = 1; i <= 5; i++) {
      await ctx.record({ actingJurisdictionId: J.santaClara, affectedJurisdictionIds: [J.santaClara], occurredOn: day(`2017-0${i}-15`), summary: `county ${i}` });
    }
  });
  afterAll(() => ctx?.close());

  const exported = async (jurisdictionId: string, filters: TimelineFilters = {}) => {
    const result = await handler.execute(new ExportTimelineQuery(jurisdictionId, filters));
    const entries: ExportedTimelineEntry[] = [];
    for await (const e of result.entries) entries.push(e);
    return { ...result, entries };
  };

  it('holds every entry of the timeline, in its order, whatever the batch size', async () => {
    const page = await ctx.getTimeline.execute(new GetTimelineQuery(J.santaClara, { limit: 500 }));
    expect(page.entries).toHaveLength(8);
    for (const limit of [1, 3, undefined]) {
      const { entries, jurisdictionName } = await exported(J.santaClara, { limit });
      expect(jurisdictionName).toBe('Santa Clara County');
      expect(entries.map(({ summary, sourceUrl, actingJurisdictionName, viaName, ...entry }) => entry)).toEqual(page.entries);
    }
  });

  it('adds the summary, the first source and the names of the acting jurisdiction and the ancestor', async () => {
    const { entries } = await exported(J.santaClara, { kinds: ['grant_condition', 'legislation'] });
    expect(entries).toEqual([
      expect.objectContaining({ kind: 'grant_condition', via: J.ca, viaName: 'California', actingJurisdictionName: 'United States', sourceUrl: null }),
      expect.objectContaining({ kind: 'legislation', via: J.ca, viaName: 'California', actingJurisdictionName: 'California', sourceUrl: expect.stringMatching(/^https:/) }),
    ]);
    const own = (await exported(J.santaClara, { inherited: false })).entries;
    expect(own.map((e) => [e.summary, e.viaName])).toEqual([1, 2, 3, 4, 5].map((i) => [`county ${i}`, null]));
  });

  it('refuses an unknown jurisdiction before any entry is read', async () => {
    await expect(handler.execute(new ExportTimelineQuery('ocd-division/country:us/state:ma'))).rejects.toMatchObject({ code: 'JURISDICTION.UNKNOWN' });
  });

  it('reads no further page once the reader stops', async () => {
    const pages = jest.spyOn(ctx.timelines, 'page');
    const { entries } = await handler.execute(new ExportTimelineQuery(J.santaClara, { limit: 2 }));
    let seen = 0;
    for await (const _ of entries) {
      if (++seen === 3) break;
    }
    expect(pages).toHaveBeenCalledTimes(2);
    pages.mockRestore();
  });
});
