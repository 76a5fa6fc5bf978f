import { GetActionHistoryQuery } from '../../queries/get-action-history/get-action-history.query';
import { GetActionQuery } from '../../queries/get-action/get-action.query';
import { GetTimelineQuery } from '../../queries/get-timeline/get-timeline.query';
import { createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { CorrectActionCommand } from '../correct-action/correct-action.command';
import { RejectActionCommand } from '../reject-action/reject-action.command';
import { PublishActionCommand } from './publish-action.command';

describe('PublishActionHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const publish = (actionId: string, meta = {}) => ctx.publishAction.execute(new PublishActionCommand({ actionId }, meta));

  const timelineEntry = async (actionId: string, asOf?: Date) => {
    const page = await ctx.getTimeline.execute(new GetTimelineQuery(J.santaClara, { asOf }));
    return page.entries.find((e) => e.actionId === actionId);
  };

  it('publishes a proposal: the next version, published everywhere, and on the timeline from that instant', async () => {
    const { id } = await ctx.propose();
    const before = await ctx.instant();
    const result = await publish(id, { actor: 'curator:ada' });
    expect(result).toEqual({ id, version: 2, position: expect.any(Number), replayed: false });

    expect(await ctx.getAction.execute(new GetActionQuery(id))).toMatchObject({ status: 'published', version: 2 });
    expect(await timelineEntry(id)).toMatchObject({ status: 'published', inherited: true, via: J.us });
    // What the timeline said before publication stays said.
    expect(await timelineEntry(id, before)).toBeUndefined();
    const history = await ctx.getActionHistory.execute(new GetActionHistoryQuery(id));
    expect(history.events.map((e) => [e.type, e.metadata.actor])).toEqual([
      ['ActionProposed', undefined],
      ['ProposalPublished', 'curator:ada'],
    ]);
  });

  it('publishes only a proposed action, appending nothing otherwise', async () => {
    const proposal = await ctx.propose();
    await publish(proposal.id);
    await expect(publish(proposal.id)).rejects.toMatchObject({
      code: 'ACTION.NOT_PROPOSED',
      details: { actionId: proposal.id, status: 'published' },
    });
    const recorded = await ctx.record();
    await expect(publish(recorded.id)).rejects.toMatchObject({ code: 'ACTION.NOT_PROPOSED', details: { status: 'published' } });
    const rejected = await ctx.propose();
    await ctx.rejectAction.execute(new RejectActionCommand({ actionId: rejected.id, reason: 'not a policy action' }));
    await expect(publish(rejected.id)).rejects.toMatchObject({ code: 'ACTION.NOT_PROPOSED', details: { status: 'rejected' } });

    expect(await ctx.eventCount(proposal.id)).toBe(2);
    expect(await ctx.eventCount(recorded.id)).toBe(1);
    expect(await ctx.eventCount(rejected.id)).toBe(2);
  });

  it('answers ACTION.UNKNOWN for an action that does not exist, with or without an expected version', async () => {
    await expect(publish('nothing-here')).rejects.toMatchObject({ code: 'ACTION.UNKNOWN', details: { actionId: 'nothing-here' } });
    await expect(publish('nothing-here', { expectedVersion: 1 })).rejects.toMatchObject({ code: 'ACTION.UNKNOWN' });
    expect(await ctx.eventCount('nothing-here')).toBe(0);
  });

  it('refuses to publish a proposal that changed since the curator saw it', async () => {
    const { id } = await ctx.propose();
    await ctx.correctAction.execute(new CorrectActionCommand({ actionId: id, changes: { title: 'Edited by another curator' }, reason: 'title' }));
    await expect(publish(id, { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'POLICY.VERSION_CONFLICT',
      details: { currentVersion: 2, expectedVersion: 1 },
    });
    expect((await ctx.getAction.execute(new GetActionQuery(id))).status).toBe('proposed');
    await expect(publish(id, { expectedVersion: 2 })).resolves.toMatchObject({ version: 3 });
  });

  it('answers a retry under the same idempotency key with the first result', async () => {
    const { id } = await ctx.propose();
    const meta = { idempotencyKey: ctx.newId('key') };
    const first = await publish(id, meta);
    // Published by then: a fresh request would be refused, the retry is answered.
    expect(await publish(id, meta)).toEqual({ ...first, replayed: true });
    expect(await ctx.eventCount(id)).toBe(2);
  });
});
