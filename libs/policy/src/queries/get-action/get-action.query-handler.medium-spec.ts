import { CorrectActionCommand } from '../../commands/correct-action/correct-action.command';
import { LinkActionsCommand } from '../../commands/link-actions/link-actions.command';
import { createPolicyTestContext, J, SOURCE, type PolicyTestContext } from '../../testing';
import { GetActionHistoryQuery } from '../get-action-history/get-action-history.query';
import { GetActionQuery } from './get-action.query';

describe('GetActionHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const get = (id: string) => ctx.getAction.execute(new GetActionQuery(id));

  it('answers the action as it stands, with its version and when it was first and last recorded', async () => {
    const { id } = await ctx.record({ title: 'Draft title', affectedJurisdictionIds: [J.ca, J.ny], tags: ['grants'] });
    await ctx.correctAction.execute(new CorrectActionCommand({ actionId: id, changes: { title: 'Final title' }, reason: 'title' }));
    const action = await get(id);
    expect(action).toEqual({
      id,
      kind: 'agency_directive',
      title: 'Final title',
      summary: expect.any(String),
      occurredOn: { date: '2017-03-27', precision: 'day' },
      actingJurisdictionId: J.us,
      affectedJurisdictionIds: [J.ca, J.ny],
      actors: [],
      citations: [],
      amounts: [],
      sources: [SOURCE],
      tags: ['grants'],
      status: 'published',
      relations: [],
      proposal: null,
      statusReason: null,
      mergedInto: null,
      suggestion: null,
      version: 2,
      recordedAt: expect.any(String),
      updatedAt: expect.any(String),
      incoming: [],
    });
    const { events } = await ctx.getActionHistory.execute(new GetActionHistoryQuery(id));
    expect(action.recordedAt).toBe(events[0].recordedAt);
    expect(action.updatedAt).toBe(events[1].recordedAt);
  });

  it('lists the links other actions make to it, oldest first, whichever command made them', async () => {
    const order = await ctx.record({ kind: 'executive_order' });
    const pledge = await ctx.record({ relations: [{ relation: 'responds_to', targetId: order.id }] });
    const proposal = await ctx.propose({ relations: [{ relation: 'cites', targetId: order.id }] });
    const suit = await ctx.record({ kind: 'lawsuit_filing' });
    await ctx.linkActions.execute(new LinkActionsCommand({ actionId: suit.id, relation: 'challenges', targetId: order.id }));

    expect((await get(order.id)).incoming).toEqual([
      { relation: 'responds_to', sourceId: pledge.id },
      { relation: 'cites', sourceId: proposal.id },
      { relation: 'challenges', sourceId: suit.id },
    ]);
    // Only links to it: its own outgoing ones are its relations.
    expect((await get(suit.id)).incoming).toEqual([]);
    expect((await get(suit.id)).relations).toEqual([{ relation: 'challenges', targetId: order.id }]);
  });

  it('answers ACTION.UNKNOWN for an id nothing was recorded under', async () => {
    await expect(get('no-such-action')).rejects.toMatchObject({ code: 'ACTION.UNKNOWN', details: { actionId: 'no-such-action' } });
  });
});
