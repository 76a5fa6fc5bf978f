import { GetActionHistoryQuery } from '../../queries/get-action-history/get-action-history.query';
import { GetActionQuery } from '../../queries/get-action/get-action.query';
import { GetJurisdictionQuery } from '../../queries/get-jurisdiction/get-jurisdiction.query';
import { GetTimelineQuery, type TimelineFilters } from '../../queries/get-timeline/get-timeline.query';
import { createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { RetractActionCommand } from './retract-action.command';

describe('RetractActionHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const retract = (actionId: string, meta = {}, reason = 'the order was never signed') =>
    ctx.retractAction.execute(new RetractActionCommand({ actionId, reason }, meta));

  const timelineIds = async (jurisdictionId: string, filters: TimelineFilters = {}) =>
    (await ctx.getTimeline.execute(new GetTimelineQuery(jurisdictionId, filters))).entries.map((e) => e.actionId);

  it('retracts a published action with its reason; its history stays', async () => {
    const { id } = await ctx.record();
    expect(await retract(id, { actor: 'curator:ada' })).toEqual({ id, version: 2, position: expect.any(Number), replayed: false });
    expect(await ctx.getAction.execute(new GetActionQuery(id))).toMatchObject({
      status: 'retracted',
      statusReason: 'the order was never signed',
      version: 2,
    });
    const history = await ctx.getActionHistory.execute(new GetActionHistoryQuery(id));
    expect(history.events.map((e) => e.type)).toEqual(['ActionRecorded', 'ActionRetracted']);
    expect(history.events[1]).toMatchObject({ data: { reason: 'the order was never signed' }, metadata: { actor: 'curator:ada' } });
  });

  it('takes it off the default timelines, its own and inherited ones, but keeps it for a statuses filter and as of before', async () => {
    const { id } = await ctx.record({ actingJurisdictionId: J.ca, affectedJurisdictionIds: [J.ca], kind: 'legislation' });
    expect(await timelineIds(J.santaClara)).toContain(id);
    const before = await ctx.instant();
    await retract(id);

    expect(await timelineIds(J.ca)).not.toContain(id);
    expect(await timelineIds(J.santaClara)).not.toContain(id);
    expect(await timelineIds(J.santaClara, { statuses: ['retracted'] })).toContain(id);
    expect(await timelineIds(J.santaClara, { asOf: before })).toContain(id);
    expect(await timelineIds(J.santaClara, { asOf: await ctx.instant() })).not.toContain(id);
  });

  it('no longer counts it in its jurisdiction\'s totals or as the latest action', async () => {
    const { id } = await ctx.record({
      actingJurisdictionId: J.syracuse,
      affectedJurisdictionIds: [J.syracuse],
      kind: 'defiance_pledge',
      occurredOn: { date: '2017-04', precision: 'month' },
    });
    const earlier = await ctx.record({
      actingJurisdictionId: J.syracuse,
      affectedJurisdictionIds: [J.syracuse],
      kind: 'public_statement',
      occurredOn: { date: '2017-02-01', precision: 'day' },
    });
    expect((await ctx.getJurisdiction.execute(new GetJurisdictionQuery(J.syracuse))).latestAction?.actionId).toBe(id);
    await retract(id);
    const after = await ctx.getJurisdiction.execute(new GetJurisdictionQuery(J.syracuse));
    expect(after.counts).toEqual({ byLevel: { municipal: 1 }, byKind: { public_statement: 1 }, total: 1 });
    expect(after.latestAction?.actionId).toBe(earlier.id);
  });

  it('refuses to retract twice, or to retract a proposal (that is rejected instead)', async () => {
    const { id } = await ctx.record();
    await retract(id);
    await expect(retract(id)).rejects.toMatchObject({ code: 'ACTION.ALREADY_RETRACTED', details: { actionId: id } });
    const proposal = await ctx.propose();
    await expect(retract(proposal.id)).rejects.toMatchObject({ code: 'ACTION.NOT_PUBLISHED', details: { status: 'proposed' } });
    await expect(retract('no-such-action')).rejects.toMatchObject({ code: 'ACTION.UNKNOWN' });
    expect(await ctx.eventCount(id)).toBe(2);
    expect(await ctx.eventCount(proposal.id)).toBe(1);
  });

  it('requires a reason, and refuses a stale expectedVersion', async () => {
    const { id } = await ctx.record();
    await expect(retract(id, {}, '')).rejects.toMatchObject({ code: 'ACTION.INVALID', errors: [{ path: 'reason', message: 'is required' }] });
    await expect(retract(id, { expectedVersion: 2 })).rejects.toMatchObject({
      code: 'POLICY.VERSION_CONFLICT',
      details: { currentVersion: 1, expectedVersion: 2 },
    });
    expect(await ctx.eventCount(id)).toBe(1);
    await expect(retract(id, { expectedVersion: 1 })).resolves.toMatchObject({ version: 2 });
  });
});
