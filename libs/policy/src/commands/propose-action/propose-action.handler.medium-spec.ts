import { IdempotencyKeyReusedError } from '@app/event-store';
import type { ProposeAction } from '../../domain';
import { GetActionQuery } from '../../queries/get-action/get-action.query';
import { GetTimelineQuery } from '../../queries/get-timeline/get-timeline.query';
import { actionStream } from '../../streams';
import { actionContent, createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { ProposeActionCommand } from './propose-action.command';

const FEDERAL_REGISTER = { sourceSystem: 'federal_register', externalId: '2017-02102' };

describe('ProposeActionHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const propose = (data: Partial<ProposeAction['data']> = {}, meta = {}) =>
    ctx.proposeAction.execute(
      new ProposeActionCommand({ actionId: ctx.newId(), content: actionContent(), proposal: FEDERAL_REGISTER, ...data }, meta),
    );

  const onTimeline = async (actionId: string, statuses?: ('proposed' | 'published')[]) => {
    const page = await ctx.getTimeline.execute(new GetTimelineQuery(J.santaClara, { statuses }));
    return page.entries.some((e) => e.actionId === actionId);
  };

  it('proposes an action at version 1 that waits for review: not on the default timeline', async () => {
    const actionId = ctx.newId();
    const result = await propose({ actionId }, { actor: 'worker:federal_register' });
    expect(result).toEqual({ id: actionId, version: 1, position: expect.any(Number), replayed: false });

    const [event] = await ctx.store.readStream(actionStream(actionId));
    expect(event).toMatchObject({ type: 'ActionProposed', data: { proposal: FEDERAL_REGISTER }, metadata: { actor: 'worker:federal_register' } });
    expect(await ctx.getAction.execute(new GetActionQuery(actionId))).toMatchObject({
      status: 'proposed',
      version: 1,
      proposal: FEDERAL_REGISTER,
    });
    expect(await onTimeline(actionId)).toBe(false);
    expect(await onTimeline(actionId, ['proposed'])).toBe(true);
  });

  it('shows a proposal that responds to an action as its incoming link as soon as the handler returns', async () => {
    const order = await ctx.record({ kind: 'executive_order' });
    const proposal = await propose({ relations: [{ relation: 'responds_to', targetId: order.id }] });
    expect((await ctx.getAction.execute(new GetActionQuery(order.id))).incoming).toEqual([
      { relation: 'responds_to', sourceId: proposal.id },
    ]);
  });

  it('refuses a relation to an action that does not exist, appending nothing', async () => {
    const before = await ctx.eventCount();
    await expect(propose({ relations: [{ relation: 'implements', targetId: 'missing-order' }] })).rejects.toMatchObject({
      code: 'ACTION.UNKNOWN',
      errors: [{ path: 'relations.0.targetId', message: expect.any(String) }],
    });
    expect(await ctx.eventCount()).toBe(before);
  });

  it('refuses an id that already exists, whether proposed or recorded', async () => {
    const proposed = await propose();
    await expect(propose({ actionId: proposed.id })).rejects.toMatchObject({ code: 'ACTION.ALREADY_EXISTS', details: { actionId: proposed.id } });
    const recorded = await ctx.record();
    await expect(propose({ actionId: recorded.id })).rejects.toMatchObject({ code: 'ACTION.ALREADY_EXISTS' });
    expect(await ctx.eventCount(proposed.id)).toBe(1);
    expect(await ctx.eventCount(recorded.id)).toBe(1);
    expect((await ctx.getAction.execute(new GetActionQuery(recorded.id))).status).toBe('published');
  });

  it('requires where the proposal came from', async () => {
    await expect(propose({ proposal: { sourceSystem: 'federal_register', externalId: ' ' } })).rejects.toMatchObject({
      code: 'ACTION.INVALID',
      errors: [{ path: 'proposal.externalId', message: 'is required' }],
    });
  });

  it('answers a retry under the same idempotency key with the first result, and refuses the key for another body', async () => {
    const actionId = ctx.newId();
    const meta = { idempotencyKey: ctx.newId('key') };
    const first = await propose({ actionId }, meta);
    expect(await propose({ actionId }, meta)).toEqual({ ...first, replayed: true });
    await expect(propose({ actionId, proposal: { ...FEDERAL_REGISTER, externalId: '2017-99999' } }, meta)).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
    expect(await ctx.eventCount(actionId)).toBe(1);
  });
});
