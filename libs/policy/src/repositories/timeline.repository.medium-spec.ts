import { RegisterJurisdictionCommand } from '../commands/register-jurisdiction/register-jurisdiction.command';
import type { ActionStatus } from '../domain';
import { createPolicyTestContext, J, type PolicyTestContext } from '../testing';
import type { TimelineRowInput, TimelineSelection } from './timeline.repository';

describe('TimelineRepository', () => {
  let ctx: PolicyTestContext;
  // Every row of an action carries the position of its first event, as the projection writes them.
  const firstPositions = new Map<string, number>();
  function firstPosition(actionId: string): number {
    if (!firstPositions.has(actionId)) firstPositions.set(actionId, 1000 + firstPositions.size);
    return firstPositions.get(actionId)!;
  }

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));

  interface Spec {
    actionId: string;
    on: string;
    acting?: string;
    affected?: boolean;
    title?: string;
    status?: ActionStatus;
    date?: string;
    from: Date;
    to?: Date | null;
  }

  function row(s: Spec): TimelineRowInput {
    const acting = s.acting ?? s.on;
    return {
      actionId: s.actionId,
      jurisdictionId: s.on,
      isActing: acting === s.on,
      isAffected: s.affected ?? true,
      kind: 'agency_directive',
      title: s.title ?? s.actionId,
      status: s.status ?? 'published',
      occurredOn: s.date ?? '2017-03-27',
      precision: 'day',
      actingJurisdictionId: acting,
      relations: [],
      sourceCount: 1,
      firstPosition: firstPosition(s.actionId),
      recordedFrom: s.from,
      recordedTo: s.to ?? null,
    };
  }

  const page = async (selection: Partial<TimelineSelection> & { jurisdictionId: string }) =>
    ctx.timelines.page({ ancestors: [], statuses: ['published'], take: 100, ...selection });

  const titles = async (selection: Partial<TimelineSelection> & { jurisdictionId: string }) =>
    (await page(selection)).map((r) => r.title);

  const versions = (actionId: string) =>
    ctx.db
      .selectFrom('timeline_entries')
      .select(['jurisdiction_id', 'title', 'recorded_from', 'recorded_to'])
      .where('action_id', '=', actionId)
      .orderBy('recorded_from')
      .orderBy('jurisdiction_id')
      .execute();

  describe('supersede', () => {
    it('closes the current rows at the new instant and makes the new ones current: as-of reads see each version in its time', async () => {
      const actionId = ctx.newId('tl');
      const on = ctx.newId('ocd-division/country:us/state:ny/place:x');
      await ctx.timelines.supersede([], [row({ actionId, on, title: 'v1', from: T(10) })]);
      await ctx.timelines.supersede([{ actionId, at: T(20) }], [row({ actionId, on, title: 'v2', from: T(20) })]);

      expect(await versions(actionId)).toEqual([
        { jurisdiction_id: on, title: 'v1', recorded_from: T(10), recorded_to: T(20) },
        { jurisdiction_id: on, title: 'v2', recorded_from: T(20), recorded_to: null },
      ]);
      expect(await titles({ jurisdictionId: on })).toEqual(['v2']);
      expect(await titles({ jurisdictionId: on, asOf: T(9) })).toEqual([]);
      expect(await titles({ jurisdictionId: on, asOf: T(10) })).toEqual(['v1']);
      expect(await titles({ jurisdictionId: on, asOf: new Date(T(20).getTime() - 1) })).toEqual(['v1']);
      expect(await titles({ jurisdictionId: on, asOf: T(20) })).toEqual(['v2']);
    });

    it('writes several versions at once (a rebuild), each bounded by the next', async () => {
      const actionId = ctx.newId('tl');
      const on = ctx.newId('ocd-division/country:us/state:ny/place:x');
      await ctx.timelines.supersede(
        [{ actionId, at: T(1) }],
        [
          row({ actionId, on, title: 'v1', from: T(1), to: T(2) }),
          row({ actionId, on, title: 'v2', from: T(2), to: T(3) }),
          row({ actionId, on, title: 'v3', from: T(3) }),
        ],
      );
      expect(await titles({ jurisdictionId: on, asOf: T(1) })).toEqual(['v1']);
      expect(await titles({ jurisdictionId: on, asOf: T(2) })).toEqual(['v2']);
      expect(await titles({ jurisdictionId: on })).toEqual(['v3']);
    });

    it('replaces rather than closes rows written at the same instant: no version that was never visible', async () => {
      const actionId = ctx.newId('tl');
      const on = ctx.newId('ocd-division/country:us/state:ny/place:x');
      await ctx.timelines.supersede([], [row({ actionId, on, title: 'v1', from: T(30) })]);
      await ctx.timelines.supersede([{ actionId, at: T(30) }], [row({ actionId, on, title: 'v1 corrected', from: T(30) })]);
      expect(await versions(actionId)).toEqual([{ jurisdiction_id: on, title: 'v1 corrected', recorded_from: T(30), recorded_to: null }]);
    });

    it('moves an action between timelines, leaving the old one as it was before', async () => {
      const actionId = ctx.newId('tl');
      const [first, second] = [ctx.newId('ocd-division/country:us/state:ny/place:x'), ctx.newId('ocd-division/country:us/state:ny/place:x')];
      await ctx.timelines.supersede([], [row({ actionId, on: first, from: T(40) })]);
      await ctx.timelines.supersede([{ actionId, at: T(41) }], [row({ actionId, on: second, from: T(41) })]);
      expect(await titles({ jurisdictionId: first })).toEqual([]);
      expect(await titles({ jurisdictionId: first, asOf: T(40) })).toEqual([actionId]);
      expect(await titles({ jurisdictionId: second })).toEqual([actionId]);
    });

    it('touches only the actions it is told to', async () => {
      const [mine, other] = [ctx.newId('tl'), ctx.newId('tl')];
      const on = ctx.newId('ocd-division/country:us/state:ny/place:x');
      await ctx.timelines.supersede([], [row({ actionId: mine, on, from: T(50) }), row({ actionId: other, on, from: T(50) })]);
      await ctx.timelines.supersede([{ actionId: mine, at: T(51) }], [row({ actionId: mine, on, title: 'mine v2', from: T(51) })]);
      expect((await versions(other)).map((v) => v.recorded_to)).toEqual([null]);
      expect(await titles({ jurisdictionId: on })).toEqual(['mine v2', other]);
    });

    it("takes the acting level from the directory, 'unknown' for an acting jurisdiction not registered", async () => {
      const actionId = ctx.newId('tl');
      const stranger = 'ocd-division/country:us/state:ma';
      const on = ctx.newId('ocd-division/country:us/state:ny/place:x');
      await ctx.timelines.supersede([], [row({ actionId, on, acting: J.ca, from: T(0) }), row({ actionId, on: stranger, from: T(0) })]);
      expect((await page({ jurisdictionId: on }))[0].actingLevel).toBe('state');
      expect((await page({ jurisdictionId: stranger }))[0].actingLevel).toBe('unknown');
    });
  });

  describe('page', () => {
    // A county's own timeline beside its state's and the country's, on days 1..6 of March.
    const county = 'ocd-division/country:us/state:ny/county:page_test';
    const day = (d: number) => `2017-03-0${d}`;
    let ids: Record<string, string>;

    beforeAll(async () => {
      ids = {
        own1: ctx.newId('pg-own'),
        state2: ctx.newId('pg-state'),
        federal3: ctx.newId('pg-federal'),
        own4: ctx.newId('pg-own'),
        both5: ctx.newId('pg-both'),
        stateActed6: ctx.newId('pg-acted'),
        proposed: ctx.newId('pg-proposed'),
      };
      await ctx.timelines.supersede(
        [],
        [
          row({ actionId: ids.own1, on: county, acting: J.ny, date: day(1), from: T(0) }),
          row({ actionId: ids.state2, on: J.ny, date: day(2), from: T(0) }),
          row({ actionId: ids.federal3, on: J.us, date: day(3), from: T(0) }),
          row({ actionId: ids.own4, on: county, acting: J.ny, date: day(4), from: T(0) }),
          // On the county itself and on the country: once, directly.
          row({ actionId: ids.both5, on: county, acting: J.us, date: day(5), from: T(0) }),
          row({ actionId: ids.both5, on: J.us, acting: J.us, date: day(5), from: T(0) }),
          // Done by the state, naming someone else: not passed down.
          row({ actionId: ids.stateActed6, on: J.ny, affected: false, date: day(6), from: T(0) }),
          row({ actionId: ids.proposed, on: county, acting: J.ny, status: 'proposed', date: day(6), from: T(0) }),
        ],
      );
    });

    const onCounty = async (selection: Partial<TimelineSelection> = {}) =>
      (await page({ jurisdictionId: county, ancestors: [J.ny, J.us], ...selection })).map((r) => [r.actionId, r.jurisdictionId]);

    it('merges its own entries with what affected each ancestor, by date, an action once and directly if it can', async () => {
      expect(await onCounty()).toEqual([
        [ids.own1, county],
        [ids.state2, J.ny],
        [ids.federal3, J.us],
        [ids.own4, county],
        [ids.both5, county],
      ]);
      expect(await onCounty({ ancestors: [] })).toEqual([
        [ids.own1, county],
        [ids.own4, county],
        [ids.both5, county],
      ]);
    });

    it('cuts at take, across timelines, and continues after a cursor', async () => {
      expect(await onCounty({ take: 2 })).toEqual([
        [ids.own1, county],
        [ids.state2, J.ny],
      ]);
      const [, second] = await page({ jurisdictionId: county, ancestors: [J.ny, J.us], take: 2 });
      const after = { occurredOn: second.occurredOn, position: second.firstPosition };
      expect(await onCounty({ after, take: 2 })).toEqual([
        [ids.federal3, J.us],
        [ids.own4, county],
      ]);
    });

    it('filters by status, acting level and date', async () => {
      expect(await onCounty({ statuses: ['proposed'] })).toEqual([[ids.proposed, county]]);
      expect(await onCounty({ levels: ['federal'] })).toEqual([
        [ids.federal3, J.us],
        [ids.both5, county],
      ]);
      expect(await onCounty({ from: day(2), to: day(3) })).toEqual([
        [ids.state2, J.ny],
        [ids.federal3, J.us],
      ]);
    });

    it('answers the same twice through the prepared plain page', async () => {
      const first = await onCounty();
      expect(await onCounty()).toEqual(first);
    });
  });

  describe('page of a consolidated city-county', () => {
    // One government, two ids: what was recorded on either is on both timelines, in any role.
    const county = 'ocd-division/country:us/state:ca/county:san_francisco';
    const city = 'ocd-division/country:us/state:ca/place:san_francisco';
    const day = (d: number) => `2017-04-0${d}`;
    let ids: Record<string, string>;

    beforeAll(async () => {
      await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand({ id: city, name: 'San Francisco city' }));
      await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand({ id: county, name: 'San Francisco County' }));
      await ctx.settled();
      ids = { city1: ctx.newId('tw-city'), county2: ctx.newId('tw-county'), both3: ctx.newId('tw-both'), state4: ctx.newId('tw-state') };
      await ctx.timelines.supersede(
        [],
        [
          row({ actionId: ids.city1, on: city, date: day(1), from: T(0) }),
          // Done by the county, naming someone else: still the same government's act.
          row({ actionId: ids.county2, on: county, affected: false, date: day(2), from: T(0) }),
          row({ actionId: ids.both3, on: city, date: day(3), from: T(0) }),
          row({ actionId: ids.both3, on: county, date: day(3), from: T(0) }),
          row({ actionId: ids.state4, on: J.ca, date: day(4), from: T(0) }),
        ],
      );
    });

    const on = async (jurisdictionId: string, selection: Partial<TimelineSelection> = {}) =>
      (await page({ jurisdictionId, ancestors: [J.ca, J.us], from: day(1), to: day(9), ...selection })).map((r) => [
        r.actionId,
        r.jurisdictionId,
        r.viaTwin,
      ]);

    it("adds the twin's entries, marked, an action on both once and on the timeline read", async () => {
      expect(await on(city)).toEqual([
        [ids.city1, city, false],
        [ids.county2, county, true],
        [ids.both3, city, false],
        [ids.state4, J.ca, false],
      ]);
      expect(await on(county)).toEqual([
        [ids.city1, city, true],
        [ids.county2, county, false],
        [ids.both3, county, false],
        [ids.state4, J.ca, false],
      ]);
      // Direct entries only: the twin's are direct too.
      expect(await on(city, { ancestors: [] })).toEqual([
        [ids.city1, city, false],
        [ids.county2, county, true],
        [ids.both3, city, false],
      ]);
    });

    it('answers the same through the prepared plain page', async () => {
      const plain = async () => (await page({ jurisdictionId: city, ancestors: [J.ca, J.us] })).filter((r) => r.occurredOn.startsWith('2017-04'));
      const first = await plain();
      expect(first.map((r) => r.actionId)).toEqual([ids.city1, ids.county2, ids.both3, ids.state4]);
      expect(await plain()).toEqual(first);
    });
  });
});
