import { IdempotencyKeyReusedError } from '@app/event-store';
import { GetActionQuery } from '../../queries/get-action/get-action.query';
import { actionStream } from '../../streams';
import { actionContent, createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { RecordActionCommand } from './record-action.command';

describe('RecordActionHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const record = (data: Partial<RecordActionCommand['data']> = {}, meta = {}) =>
    ctx.recordAction.execute(new RecordActionCommand({ actionId: ctx.newId(), content: actionContent(), ...data }, meta));

  it('records a published action at version 1, normalised, on the timelines it names', async () => {
    const actionId = ctx.newId();
    const meta = { actor: 'curator:ada', correlationId: 'corr-1', causationId: 'req-1' };
    const content = actionContent({
      title: '  Sanctuary jurisdiction grants  ',
      actingJurisdictionId: J.us,
      affectedJurisdictionIds: [J.ca, J.newYork],
      tags: ['Sanctuary', 'Grants'],
    });
    const result = await record({ actionId, content }, meta);
    expect(result).toEqual({ id: actionId, version: 1, position: expect.any(Number), replayed: false });

    const [event] = await ctx.store.readStream(actionStream(actionId));
    expect(event).toMatchObject({ type: 'ActionRecorded', position: result.position, metadata: meta });
    expect(event.data.content).toMatchObject({ title: 'Sanctuary jurisdiction grants', tags: ['sanctuary', 'grants'], actors: [] });

    expect(await ctx.getAction.execute(new GetActionQuery(actionId))).toMatchObject({
      id: actionId,
      status: 'published',
      version: 1,
      proposal: null,
      statusReason: null,
      relations: [],
      incoming: [],
    });
    const rows = await ctx.db
      .selectFrom('timeline_entries')
      .select(['jurisdiction_id', 'is_acting', 'is_affected', 'acting_level', 'first_position', 'recorded_to'])
      .where('action_id', '=', actionId)
      .orderBy('jurisdiction_id')
      .execute();
    const row = { acting_level: 'federal', first_position: result.position, recorded_to: null };
    expect(rows).toEqual([
      { jurisdiction_id: J.us, is_acting: true, is_affected: false, ...row },
      { jurisdiction_id: J.ca, is_acting: false, is_affected: true, ...row },
      { jurisdiction_id: J.newYork, is_acting: false, is_affected: true, ...row },
    ]);
  });

  it('links it to earlier actions: the target shows the incoming link as soon as the handler returns', async () => {
    const order = await record({ content: actionContent({ kind: 'executive_order', title: 'EO 13768' }) });
    const pledge = await record({
      content: actionContent({ kind: 'defiance_pledge', actingJurisdictionId: J.newYork, affectedJurisdictionIds: [J.newYork] }),
      relations: [{ relation: 'responds_to', targetId: order.id }],
    });
    const target = await ctx.getAction.execute(new GetActionQuery(order.id));
    expect(target.incoming).toEqual([{ relation: 'responds_to', sourceId: pledge.id }]);
    expect((await ctx.getAction.execute(new GetActionQuery(pledge.id))).relations).toEqual([
      { relation: 'responds_to', targetId: order.id },
    ]);
  });

  it('refuses a relation to an action that does not exist, at its field, appending nothing', async () => {
    const before = await ctx.eventCount();
    const actionId = ctx.newId();
    await expect(record({ actionId, relations: [{ relation: 'cites', targetId: 'no-such-action' }] })).rejects.toMatchObject({
      code: 'ACTION.UNKNOWN',
      errors: [{ path: 'relations.0.targetId', message: 'action no-such-action does not exist' }],
      details: { missingActions: ['no-such-action'] },
    });
    await expect(record({ actionId, relations: [{ relation: 'cites', targetId: actionId }] })).rejects.toMatchObject({
      code: 'ACTION.SELF_LINK',
    });
    expect(await ctx.eventCount()).toBe(before);
  });

  it('refuses an unregistered jurisdiction, at its field, appending nothing', async () => {
    const before = await ctx.eventCount();
    const boston = 'ocd-division/country:us/state:ma/place:boston';
    await expect(record({ content: actionContent({ affectedJurisdictionIds: [J.us, boston] }) })).rejects.toMatchObject({
      code: 'JURISDICTION.UNKNOWN',
      errors: [{ path: 'content.affectedJurisdictionIds.1', message: `jurisdiction ${boston} is not registered` }],
    });
    expect(await ctx.eventCount()).toBe(before);
  });

  it('refuses invalid content with every field error', async () => {
    const before = await ctx.eventCount();
    const content = actionContent({ title: ' ', sources: [{ url: 'ftp://example.org/x', publisher: 'X' }] });
    await expect(record({ content })).rejects.toMatchObject({
      code: 'ACTION.INVALID',
      errors: expect.arrayContaining([
        { path: 'content.title', message: 'is required' },
        { path: 'content.sources.0.url', message: 'must be an http(s) URL' },
      ]),
    });
    expect(await ctx.eventCount()).toBe(before);
  });

  it('refuses an id that already exists, leaving the first action as it was', async () => {
    const first = await record({ content: actionContent({ title: 'The first' }) });
    await expect(record({ actionId: first.id, content: actionContent({ title: 'An impostor' }) })).rejects.toMatchObject({
      code: 'ACTION.ALREADY_EXISTS',
      details: { actionId: first.id },
    });
    expect(await ctx.eventCount(first.id)).toBe(1);
    expect((await ctx.getAction.execute(new GetActionQuery(first.id))).title).toBe('The first');
  });

  it('answers retries under the same idempotency key with the first result, even concurrent ones, appending once', async () => {
    const actionId = ctx.newId();
    const meta = { idempotencyKey: ctx.newId('key') };
    const [a, b] = await Promise.all([record({ actionId }, meta), record({ actionId }, meta)]);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect({ ...a, replayed: true }).toEqual({ ...b, replayed: true });
    const later = await record({ actionId }, meta);
    expect(later).toEqual({ ...a, replayed: true });
    expect(await ctx.eventCount(actionId)).toBe(1);
  });

  it('refuses the same idempotency key for another body or another action', async () => {
    const actionId = ctx.newId();
    const meta = { idempotencyKey: ctx.newId('key') };
    await record({ actionId }, meta);
    await expect(record({ actionId, content: actionContent({ title: 'Changed my mind' }) }, meta)).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
    const other = ctx.newId();
    await expect(record({ actionId: other }, meta)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await ctx.eventCount(actionId)).toBe(1);
    expect(await ctx.eventCount(other)).toBe(0);
  });
});
