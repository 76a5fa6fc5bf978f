import { GetActionQuery } from '../../queries/get-action/get-action.query';
import { GetTimelineQuery } from '../../queries/get-timeline/get-timeline.query';
import { createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { RetractActionCommand } from '../retract-action/retract-action.command';
import { LinkActionsCommand } from './link-actions.command';

describe('LinkActionsHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const link = (actionId: string, relation: string, targetId: string, meta = {}) =>
    ctx.linkActions.execute(new LinkActionsCommand({ actionId, relation: relation as 'cites', targetId }, meta));

  const incoming = async (id: string) => (await ctx.getAction.execute(new GetActionQuery(id))).incoming;

  it('links two actions: the next version, the outgoing relation, and the incoming link as soon as the handler returns', async () => {
    const order = await ctx.record({ kind: 'executive_order' });
    const suit = await ctx.record({ kind: 'lawsuit_filing', actingJurisdictionId: J.santaClara, affectedJurisdictionIds: [J.santaClara] });
    expect(await link(suit.id, 'challenges', order.id)).toEqual({ id: suit.id, version: 2, position: expect.any(Number), replayed: false });

    expect((await ctx.getAction.execute(new GetActionQuery(suit.id))).relations).toEqual([{ relation: 'challenges', targetId: order.id }]);
    expect(await incoming(order.id)).toEqual([{ relation: 'challenges', sourceId: suit.id }]);
    const page = await ctx.getTimeline.execute(new GetTimelineQuery(J.santaClara, { kinds: ['lawsuit_filing'] }));
    expect(page.entries.find((e) => e.actionId === suit.id)?.relations).toEqual([{ relation: 'challenges', targetId: order.id }]);
  });

  it('allows another relation to the same target, never the same one twice', async () => {
    const order = await ctx.record();
    const memo = await ctx.record();
    await link(memo.id, 'cites', order.id);
    await link(memo.id, 'implements', order.id);
    await expect(link(memo.id, 'cites', order.id)).rejects.toMatchObject({
      code: 'ACTION.DUPLICATE_LINK',
      details: { actionId: memo.id, relation: 'cites', targetId: order.id },
    });
    expect(await ctx.eventCount(memo.id)).toBe(3);
    expect(await incoming(order.id)).toEqual([
      { relation: 'cites', sourceId: memo.id },
      { relation: 'implements', sourceId: memo.id },
    ]);
  });

  it('refuses a link to itself, to an unknown target (at targetId), or of an unknown relation, appending nothing', async () => {
    const { id } = await ctx.record();
    await expect(link(id, 'cites', id)).rejects.toMatchObject({ code: 'ACTION.SELF_LINK', errors: [{ path: 'targetId', message: expect.any(String) }] });
    await expect(link(id, 'cites', 'no-such-action')).rejects.toMatchObject({
      code: 'ACTION.UNKNOWN',
      errors: [{ path: 'targetId', message: 'action no-such-action does not exist' }],
    });
    await expect(link(id, 'likes', 'no-such-action')).rejects.toMatchObject({ code: 'ACTION.INVALID', errors: [{ path: 'relation', message: expect.any(String) }] });
    const other = await ctx.record();
    await expect(link('no-such-action', 'cites', other.id)).rejects.toMatchObject({ code: 'ACTION.UNKNOWN', details: { actionId: 'no-such-action' } });
    expect(await ctx.eventCount(id)).toBe(1);
    expect(await ctx.eventCount('no-such-action')).toBe(0);
  });

  it('refuses to link a retracted action', async () => {
    const target = await ctx.record();
    const { id } = await ctx.record();
    await ctx.retractAction.execute(new RetractActionCommand({ actionId: id, reason: 'duplicate' }));
    await expect(link(id, 'cites', target.id)).rejects.toMatchObject({ code: 'ACTION.NOT_CORRECTABLE', details: { status: 'retracted' } });
    expect(await incoming(target.id)).toEqual([]);
  });

  it('answers a retry under the same idempotency key with the first result, linking once', async () => {
    const target = await ctx.record();
    const { id } = await ctx.record();
    const meta = { idempotencyKey: ctx.newId('key'), expectedVersion: 1 };
    const first = await link(id, 'responds_to', target.id, meta);
    expect(await link(id, 'responds_to', target.id, meta)).toEqual({ ...first, replayed: true });
    expect(await ctx.eventCount(id)).toBe(2);
    expect(await incoming(target.id)).toEqual([{ relation: 'responds_to', sourceId: id }]);
  });
});
