import { IdempotencyKeyReusedError } from '@app/event-store';
import { GetActionHistoryQuery } from '../../queries/get-action-history/get-action-history.query';
import { GetActionQuery } from '../../queries/get-action/get-action.query';
import { GetTimelineQuery, type TimelineFilters } from '../../queries/get-timeline/get-timeline.query';
import { ListActionsQuery } from '../../queries/list-actions/list-actions.query';
import { createPolicyTestContext, J, SOURCE, type PolicyTestContext } from '../../testing';
import { RetractActionCommand } from '../retract-action/retract-action.command';
import { MergeActionsCommand } from './merge-actions.command';

describe('MergeActionsHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const merge = (actionId: string, into: string, meta = {}, reason = 'the same pledge, reported twice') =>
    ctx.mergeActions.execute(new MergeActionsCommand({ actionId, into, reason }, meta));
  const get = (id: string) => ctx.getAction.execute(new GetActionQuery(id));
  const timeline = async (jurisdictionId: string, filters: TimelineFilters = {}) =>
    (await ctx.getTimeline.execute(new GetTimelineQuery(jurisdictionId, { inherited: false, ...filters }))).entries.map((e) => [e.actionId, e.status, e.sourceCount]);

  const press = { url: 'https://www.syr.gov/press/2017-01-26-sanctuary', publisher: 'City of Syracuse' };
  const pledge = { kind: 'defiance_pledge' as const, actingJurisdictionId: J.syracuse, affectedJurisdictionIds: [J.syracuse] };

  it('folds the duplicate into the survivor in one append: merged, its sources, citations and links moved, one timeline entry', async () => {
    const order = await ctx.record({ kind: 'executive_order' });
    const survivor = await ctx.record({ ...pledge, citations: [{ kind: 'statute', text: '8 U.S.C. 1373' }] });
    const duplicate = await ctx.propose({
      ...pledge,
      sources: [SOURCE, press],
      citations: [{ kind: 'statute', text: '8 U.S.C. 1373' }, { kind: 'other', text: 'Mayor Miner statement' }],
      relations: [{ relation: 'responds_to', targetId: order.id }],
    });
    expect(await timeline(J.syracuse, { statuses: ['published', 'proposed'] })).toEqual([
      [survivor.id, 'published', 1],
      [duplicate.id, 'proposed', 2],
    ]);

    const result = await merge(duplicate.id, survivor.id, { actor: 'curator:ada', expectedVersion: 1 });
    expect(result).toEqual({ id: duplicate.id, version: 2, position: expect.any(Number), replayed: false });

    expect(await get(duplicate.id)).toMatchObject({
      status: 'merged',
      mergedInto: survivor.id,
      statusReason: 'the same pledge, reported twice',
      version: 2,
      sources: [SOURCE, press],
    });
    const kept = await get(survivor.id);
    expect(kept).toMatchObject({ status: 'published', mergedInto: null, version: 2, sources: [SOURCE, press] });
    expect(kept.citations.map((c) => c.text)).toEqual(['8 U.S.C. 1373', 'Mayor Miner statement']);
    expect(kept.relations).toEqual([{ relation: 'responds_to', targetId: order.id }]);
    // The relation graph shows the moved link as soon as the handler returns; the duplicate's own stays in its history.
    expect((await get(order.id)).incoming).toEqual([
      { relation: 'responds_to', sourceId: duplicate.id },
      { relation: 'responds_to', sourceId: survivor.id },
    ]);

    expect(await timeline(J.syracuse, { statuses: ['published', 'proposed'] })).toEqual([[survivor.id, 'published', 2]]);
    expect(await timeline(J.syracuse, { statuses: ['merged'] })).toEqual([[duplicate.id, 'merged', 2]]);
    const queue = await ctx.listActions.execute(new ListActionsQuery({ statuses: ['proposed'], jurisdictionId: J.syracuse }));
    expect(queue.items).toEqual([]);

    const [dupHistory, survivorHistory] = await Promise.all([
      ctx.getActionHistory.execute(new GetActionHistoryQuery(duplicate.id)),
      ctx.getActionHistory.execute(new GetActionHistoryQuery(survivor.id)),
    ]);
    expect(dupHistory.events.map((e) => e.type)).toEqual(['ActionProposed', 'ActionMerged']);
    expect(dupHistory.events[1]).toMatchObject({ data: { into: survivor.id }, metadata: { actor: 'curator:ada' } });
    expect(survivorHistory.events.map((e) => e.type)).toEqual(['ActionRecorded', 'DuplicateAbsorbed']);
    expect(survivorHistory.events[1]).toMatchObject({ data: { duplicateId: duplicate.id, sources: [press] }, position: result.position });
  });

  it('refuses a stale If-Match, unknown actions, itself, and closed actions, appending nothing', async () => {
    const survivor = await ctx.record(pledge);
    const duplicate = await ctx.record(pledge);
    const retracted = await ctx.record(pledge);
    await ctx.retractAction.execute(new RetractActionCommand({ actionId: retracted.id, reason: 'wrong city' }));
    const before = await ctx.eventCount();

    await expect(merge(duplicate.id, survivor.id, { expectedVersion: 3 })).rejects.toMatchObject({
      code: 'POLICY.VERSION_CONFLICT',
      details: { actionId: duplicate.id, currentVersion: 1, expectedVersion: 3 },
    });
    await expect(merge('no-such-action', survivor.id, { expectedVersion: 1 })).rejects.toMatchObject({ code: 'ACTION.UNKNOWN', details: { actionId: 'no-such-action' } });
    await expect(merge(duplicate.id, 'no-such-action', { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'ACTION.UNKNOWN',
      errors: [{ path: 'into', message: 'action no-such-action does not exist' }],
    });
    await expect(merge(duplicate.id, duplicate.id, { expectedVersion: 1 })).rejects.toMatchObject({ code: 'ACTION.SELF_MERGE' });
    await expect(merge(duplicate.id, retracted.id, { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'ACTION.NOT_MERGEABLE',
      details: { actionId: retracted.id, status: 'retracted' },
    });
    const statement = await ctx.record({ ...pledge, kind: 'public_statement' });
    await expect(merge(statement.id, survivor.id, { expectedVersion: 1 })).rejects.toMatchObject({ code: 'ACTION.MERGE_KIND_MISMATCH' });
    expect(await ctx.eventCount()).toBe(before + 1);

    await merge(duplicate.id, survivor.id, { expectedVersion: 1 });
    await expect(merge(duplicate.id, survivor.id, { expectedVersion: 2 })).rejects.toMatchObject({
      code: 'ACTION.NOT_MERGEABLE',
      details: { actionId: duplicate.id, status: 'merged', mergedInto: survivor.id },
    });
    const third = await ctx.record(pledge);
    await expect(merge(third.id, duplicate.id, { expectedVersion: 1 })).rejects.toMatchObject({ code: 'ACTION.NOT_MERGEABLE', details: { mergedInto: survivor.id } });
  });

  it('answers a retry under the same Idempotency-Key with the first result, merging once; another use of the key is refused', async () => {
    const survivor = await ctx.record(pledge);
    const duplicate = await ctx.record({ ...pledge, sources: [press] });
    const meta = { idempotencyKey: ctx.newId('merge-key'), expectedVersion: 1 };
    const first = await merge(duplicate.id, survivor.id, meta);
    // The survivor changing meanwhile does not change what the retry answers.
    await ctx.retractAction.execute(new RetractActionCommand({ actionId: survivor.id, reason: 'later withdrawn' }));
    expect(await merge(duplicate.id, survivor.id, meta)).toEqual({ ...first, replayed: true });
    expect(await ctx.eventCount(duplicate.id)).toBe(2);
    expect(await ctx.eventCount(survivor.id)).toBe(3);

    const other = await ctx.record(pledge);
    await expect(merge(other.id, survivor.id, { ...meta })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await expect(merge(duplicate.id, survivor.id, meta, 'another reason')).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });
});
