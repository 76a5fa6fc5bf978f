import { CorrectActionCommand } from '../../commands/correct-action/correct-action.command';
import { RegisterJurisdictionCommand } from '../../commands/register-jurisdiction/register-jurisdiction.command';
import { createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { GetTimelineQuery, type TimelineFilters, type TimelineEntry } from './get-timeline.query';

describe('GetTimelineHandler', () => {
  let ctx: PolicyTestContext;
  // One action per way of reaching Santa Clara County's timeline (and a few that must not).
  const a: Record<string, string> = {};

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
    const day = (date: string) => ({ date, precision: 'day' as const });
    a.order = (await ctx.record({ kind: 'executive_order', occurredOn: day('2017-01-25') })).id;
    a.toCalifornia = (await ctx.record({ kind: 'grant_condition', affectedJurisdictionIds: [J.ca], occurredOn: day('2017-03-27') })).id;
    a.toNewYork = (await ctx.record({ kind: 'grant_condition', affectedJurisdictionIds: [J.ny], occurredOn: day('2017-03-28') })).id;
    a.federalOnly = (await ctx.record({ kind: 'agency_report', affectedJurisdictionIds: [J.ny], occurredOn: day('2017-02-01') })).id;
    a.stateLaw = (await ctx.record({
      kind: 'legislation',
      actingJurisdictionId: J.ca,
      affectedJurisdictionIds: [J.ca, J.us],
      occurredOn: { date: '2017-10', precision: 'month' },
    })).id;
    a.lawsuit = (await ctx.record({
      kind: 'lawsuit_filing',
      actingJurisdictionId: J.santaClara,
      affectedJurisdictionIds: [J.us],
      occurredOn: day('2017-02-03'),
    })).id;
    a.nycPledge = (await ctx.record({
      kind: 'defiance_pledge',
      actingJurisdictionId: J.newYork,
      affectedJurisdictionIds: [J.newYork],
      occurredOn: day('2017-01-25'),
    })).id;
  });
  afterAll(() => ctx?.close());

  const timeline = (jurisdictionId: string, filters: TimelineFilters = {}) =>
    ctx.getTimeline.execute(new GetTimelineQuery(jurisdictionId, filters));

  const summary = (e: TimelineEntry) => [e.actionId, e.level, e.inherited, e.via];

  it("merges a jurisdiction's own entries with what affected its ancestors, in date order, each once", async () => {
    const page = await timeline(J.santaClara);
    expect(page).toMatchObject({ jurisdictionId: J.santaClara, asOf: null, nextCursor: null });
    expect(page.entries.map(summary)).toEqual([
      [a.order, 'federal', true, J.us],
      // Acting on Santa Clara and naming the country: direct, not inherited through the country.
      [a.lawsuit, 'county', false, null],
      [a.toCalifornia, 'federal', true, J.ca],
      // Naming California and the country: through the nearest of them.
      [a.stateLaw, 'state', true, J.ca],
    ]);
    expect(page.entries[3]).toMatchObject({ occurredOn: '2017-10', precision: 'month', actingJurisdictionId: J.ca, sourceCount: 1 });
  });

  it('passes down only what affected an ancestor, not what it merely did', async () => {
    const ids = (await timeline(J.santaClara)).entries.map((e) => e.actionId);
    expect(ids).not.toContain(a.federalOnly);
    expect(ids).not.toContain(a.toNewYork);
    expect((await timeline(J.syracuse)).entries.map(summary)).toEqual([
      [a.order, 'federal', true, J.us],
      [a.federalOnly, 'federal', true, J.ny],
      [a.lawsuit, 'county', true, J.us],
      [a.toNewYork, 'federal', true, J.ny],
      [a.stateLaw, 'state', true, J.us],
    ]);
  });

  it('keeps to the direct entries with inherited: false', async () => {
    expect((await timeline(J.santaClara, { inherited: false })).entries.map(summary)).toEqual([[a.lawsuit, 'county', false, null]]);
    expect((await timeline(J.newYork, { inherited: false })).entries.map((e) => e.actionId)).toEqual([a.nycPledge]);
  });

  it('filters by acting level, kind and date range', async () => {
    const ids = async (filters: TimelineFilters) => (await timeline(J.newYork, filters)).entries.map((e) => e.actionId);
    expect(await ids({ levels: ['municipal'] })).toEqual([a.nycPledge]);
    expect(await ids({ levels: ['state', 'county'] })).toEqual([a.lawsuit, a.stateLaw]);
    expect(await ids({ kinds: ['grant_condition'] })).toEqual([a.toNewYork]);
    expect(await ids({ kinds: ['grant_condition', 'executive_order'], levels: ['federal'] })).toEqual([a.order, a.toNewYork]);
    expect(await ids({ from: '2017-02-01', to: '2017-03-31' })).toEqual([a.federalOnly, a.lawsuit, a.toNewYork]);
    // A month-precision action sorts at the month's first day.
    expect(await ids({ from: '2017-10-01', to: '2017-10-01' })).toEqual([a.stateLaw]);
  });

  it('keeps a month or a year whose period overlaps the range, not only its first day', async () => {
    const ids = async (filters: TimelineFilters) => (await timeline(J.newYork, filters)).entries.map((e) => e.actionId);
    // October 2017 overlaps 15–20 October and anything from its last day on.
    expect(await ids({ from: '2017-10-15', to: '2017-10-20' })).toEqual([a.stateLaw]);
    expect(await ids({ from: '2017-10-31' })).toEqual([a.stateLaw]);
    expect(await ids({ from: '2017-11-01' })).toEqual([]);
    expect(await ids({ to: '2017-09-30' })).not.toContain(a.stateLaw);

    const place = 'ocd-division/country:us/state:ny/place:utica';
    await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand({ id: place, name: 'Utica city' }));
    const own = { actingJurisdictionId: place, affectedJurisdictionIds: [place] };
    const year = (await ctx.record({ ...own, occurredOn: { date: '2016', precision: 'year' } })).id;
    const december = (await ctx.record({ ...own, occurredOn: { date: '2016-12', precision: 'month' } })).id;
    const day = (await ctx.record({ ...own, occurredOn: { date: '2016-12-30', precision: 'day' } })).id;
    const direct = async (filters: TimelineFilters) =>
      (await timeline(place, { ...filters, inherited: false })).entries.map((e) => e.actionId);
    expect(await direct({ from: '2016-12-31' })).toEqual([year, december]);
    expect(await direct({ from: '2016-12-30', to: '2016-12-30' })).toEqual([year, december, day]);
    expect(await direct({ from: '2016-06-15', to: '2016-06-15' })).toEqual([year]);
    expect(await direct({ from: '2017-01-01' })).toEqual([]);
    expect(await direct({ to: '2015-12-31' })).toEqual([]);
  });

  it('pages with a cursor: every entry once, in order, with ties on a date broken by when they were recorded', async () => {
    const place = 'ocd-division/country:us/state:ny/place:albany';
    await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand({ id: place, name: 'Albany city' }));
    const sameDay = [];
    for (let i = 0; i < 4; i++) {
      sameDay.push((await ctx.record({ actingJurisdictionId: place, affectedJurisdictionIds: [place], occurredOn: { date: '2017-05-01', precision: 'day' } })).id);
    }
    const whole = (await timeline(place, { limit: 500 })).entries.map((e) => e.actionId);
    expect(whole).toEqual([a.order, a.federalOnly, a.lawsuit, a.toNewYork, ...sameDay, a.stateLaw]);

    for (const limit of [1, 2, 3]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await timeline(place, { limit, cursor });
        expect(page.entries.length).toBeLessThanOrEqual(limit);
        seen.push(...page.entries.map((e) => e.actionId));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(seen).toEqual(whole);
      expect(pages).toBe(Math.ceil(whole.length / limit));
    }
  });

  it('refuses a cursor it did not issue as an invalid query parameter', async () => {
    const invalid = { code: 'QUERY.INVALID_CURSOR', errors: [{ path: 'query.cursor', message: expect.any(String) }] };
    const encode = (text: string) => Buffer.from(text).toString('base64url');
    await expect(timeline(J.us, { cursor: 'not-a-cursor' })).rejects.toMatchObject(invalid);
    await expect(timeline(J.us, { cursor: encode('2017-01-25') })).rejects.toMatchObject(invalid);
    // Well formed, but not a day: refused here rather than by Postgres.
    await expect(timeline(J.us, { cursor: encode('2017-02-30|5') })).rejects.toMatchObject(invalid);
  });

  it('answers JURISDICTION.UNKNOWN for a jurisdiction that is not registered', async () => {
    const boston = 'ocd-division/country:us/state:ma/place:boston';
    await expect(timeline(boston)).rejects.toMatchObject({ code: 'JURISDICTION.UNKNOWN', details: { id: boston } });
  });

  it('reads the timeline as it stood at an instant: before an action, and before a correction moved it', async () => {
    const first = await ctx.instant();
    const place = 'ocd-division/country:us/state:ny/place:buffalo';
    await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand({ id: place, name: 'Buffalo city' }));
    const { id } = await ctx.record({ actingJurisdictionId: place, affectedJurisdictionIds: [place], occurredOn: { date: '2017-12-01', precision: 'day' } });
    const beforeCorrection = await ctx.instant();
    await ctx.correctAction.execute(
      new CorrectActionCommand({ actionId: id, changes: { occurredOn: { date: '2017-01-02', precision: 'day' } }, reason: 'wrong year end' }),
    );
    const ids = async (asOf?: Date) => (await timeline(place, { asOf })).entries.map((e) => e.actionId);

    // The jurisdiction is registered now, so its timeline can be asked for any instant.
    expect(await ids(first)).toEqual([a.order, a.federalOnly, a.lawsuit, a.toNewYork, a.stateLaw]);
    expect(await ids(beforeCorrection)).toEqual([a.order, a.federalOnly, a.lawsuit, a.toNewYork, a.stateLaw, id]);
    expect(await ids()).toEqual([id, a.order, a.federalOnly, a.lawsuit, a.toNewYork, a.stateLaw]);
    expect((await timeline(place, { asOf: beforeCorrection })).asOf).toBe(beforeCorrection.toISOString());
  });

  it("shows a consolidated city-county's acts recorded under either of its ids, marked as the twin's", async () => {
    const county = 'ocd-division/country:us/state:ca/county:san_francisco';
    const city = 'ocd-division/country:us/state:ca/place:san_francisco';
    await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand({ id: county, name: 'San Francisco County' }));
    await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand({ id: city, name: 'San Francisco city' }));
    const suit = (await ctx.record({
      kind: 'lawsuit_filing',
      actingJurisdictionId: county,
      affectedJurisdictionIds: [J.us],
      occurredOn: { date: '2017-01-31', precision: 'day' },
    })).id;
    const entries = (await timeline(city, { from: '2017-01-31', to: '2017-01-31' })).entries;
    expect(entries).toEqual([expect.objectContaining({ actionId: suit, inherited: false, via: county, twin: true })]);
    // Direct entries only: the twin's acts are the government's own.
    expect((await timeline(city, { inherited: false })).entries.map((e) => [e.actionId, e.via, e.twin])).toEqual([[suit, county, true]]);
    // On the county itself it is its own, not the twin's.
    expect((await timeline(county, { inherited: false })).entries.map((e) => [e.actionId, e.via, e.twin])).toEqual([[suit, null, false]]);
  });
});
