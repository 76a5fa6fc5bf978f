import { GetActionQuery } from '../../queries/get-action/get-action.query';
import { GetTimelineQuery } from '../../queries/get-timeline/get-timeline.query';
import { actionStream } from '../../streams';
import { createPolicyTestContext, J, SOURCE, type PolicyTestContext } from '../../testing';
import { AttachSourceCommand } from '../attach-source/attach-source.command';
import { CorrectActionCommand } from '../correct-action/correct-action.command';
import { LinkActionsCommand } from '../link-actions/link-actions.command';
import { PublishActionCommand } from '../publish-action/publish-action.command';
import { RejectActionCommand } from './reject-action.command';

describe('RejectActionHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const reject = (actionId: string, reason = 'a press release, not a policy action', meta = {}) =>
    ctx.rejectAction.execute(new RejectActionCommand({ actionId, reason }, meta));

  it('rejects a proposal and keeps the reason', async () => {
    const { id } = await ctx.propose();
    expect(await reject(id, '  duplicate of the EO entry  ')).toEqual({ id, version: 2, position: expect.any(Number), replayed: false });
    expect(await ctx.getAction.execute(new GetActionQuery(id))).toMatchObject({
      status: 'rejected',
      statusReason: 'duplicate of the EO entry',
      version: 2,
    });
    const events = await ctx.store.readStream(actionStream(id));
    expect(events.at(-1)).toMatchObject({ type: 'ProposalRejected', data: { actionId: id, reason: 'duplicate of the EO entry' } });
  });

  it('leaves it off the default timeline, but a statuses filter still finds it', async () => {
    const { id } = await ctx.propose({ affectedJurisdictionIds: [J.ny] });
    await reject(id);
    const ids = async (statuses?: ('rejected' | 'published')[]) =>
      (await ctx.getTimeline.execute(new GetTimelineQuery(J.newYork, { statuses }))).entries.map((e) => e.actionId);
    expect(await ids()).not.toContain(id);
    expect(await ids(['rejected'])).toContain(id);
    expect(await ids(['published', 'rejected'])).toContain(id);
  });

  it('rejects only a proposed action, appending nothing otherwise', async () => {
    const recorded = await ctx.record();
    await expect(reject(recorded.id)).rejects.toMatchObject({
      code: 'ACTION.NOT_PROPOSED',
      details: { actionId: recorded.id, status: 'published' },
    });
    const proposal = await ctx.propose();
    await reject(proposal.id);
    await expect(reject(proposal.id)).rejects.toMatchObject({ code: 'ACTION.NOT_PROPOSED', details: { status: 'rejected' } });
    await expect(reject('never-proposed')).rejects.toMatchObject({ code: 'ACTION.UNKNOWN' });
    expect(await ctx.eventCount(recorded.id)).toBe(1);
    expect(await ctx.eventCount(proposal.id)).toBe(2);
  });

  it('requires a reason', async () => {
    const { id } = await ctx.propose();
    await expect(reject(id, ' ')).rejects.toMatchObject({ code: 'ACTION.INVALID', errors: [{ path: 'reason', message: 'is required' }] });
    expect(await ctx.eventCount(id)).toBe(1);
  });

  it('closes the action: no publication, correction, link or source afterwards', async () => {
    const target = await ctx.record();
    const { id } = await ctx.propose();
    await reject(id);
    await expect(ctx.publishAction.execute(new PublishActionCommand({ actionId: id }))).rejects.toMatchObject({ code: 'ACTION.NOT_PROPOSED' });
    const closed = { code: 'ACTION.NOT_CORRECTABLE', details: { actionId: id, status: 'rejected' } };
    await expect(
      ctx.correctAction.execute(new CorrectActionCommand({ actionId: id, changes: { title: 'x' }, reason: 'y' })),
    ).rejects.toMatchObject(closed);
    await expect(
      ctx.linkActions.execute(new LinkActionsCommand({ actionId: id, relation: 'cites', targetId: target.id })),
    ).rejects.toMatchObject(closed);
    await expect(
      ctx.attachSource.execute(new AttachSourceCommand({ actionId: id, source: { ...SOURCE, url: 'https://example.org/other' } })),
    ).rejects.toMatchObject(closed);
    expect(await ctx.eventCount(id)).toBe(2);
  });

  it('refuses a stale expectedVersion', async () => {
    const { id } = await ctx.propose();
    await ctx.correctAction.execute(new CorrectActionCommand({ actionId: id, changes: { title: 'Better title' }, reason: 'title' }));
    await expect(reject(id, 'no', { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'POLICY.VERSION_CONFLICT',
      details: { currentVersion: 2 },
    });
    expect(await ctx.eventCount(id)).toBe(2);
  });
});
