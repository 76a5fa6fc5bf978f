import { IdempotencyKeyReusedError } from '@app/event-store';
import { GetActionQuery } from '../../queries/get-action/get-action.query';
import { GetTimelineQuery } from '../../queries/get-timeline/get-timeline.query';
import { createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { RetractActionCommand } from '../retract-action/retract-action.command';
import { CorrectActionCommand } from './correct-action.command';

describe('CorrectActionHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const correct = (actionId: string, changes: object, meta = {}, reason = 'official title') =>
    ctx.correctAction.execute(new CorrectActionCommand({ actionId, changes, reason }, meta));

  const currentRows = (actionId: string) =>
    ctx.db
      .selectFrom('timeline_entries')
      .select(['jurisdiction_id', 'title', 'occurred_on', 'is_acting', 'is_affected'])
      .where('action_id', '=', actionId)
      .where('recorded_to', 'is', null)
      .orderBy('jurisdiction_id')
      .execute();

  it('changes the field and bumps the version in the stream, the actions row and the current timeline row', async () => {
    const { id } = await ctx.record({ title: 'Byrne JAG conditions' });
    const result = await correct(id, { title: 'Byrne JAG grant conditions announced' }, { expectedVersion: 1 });
    expect(result).toEqual({ id, version: 2, position: expect.any(Number), replayed: false });

    expect(await ctx.eventCount(id)).toBe(2);
    const row = await ctx.db.selectFrom('actions').select(['version', 'title', 'state']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ version: 2, title: 'Byrne JAG grant conditions announced' });
    expect(row.state.title).toBe('Byrne JAG grant conditions announced');
    expect(await currentRows(id)).toEqual([
      expect.objectContaining({ jurisdiction_id: J.us, title: 'Byrne JAG grant conditions announced' }),
    ]);
  });

  it('keeps what the timeline said before: an as-of read before the correction shows the old title', async () => {
    const { id } = await ctx.record({ title: 'Old title', affectedJurisdictionIds: [J.ca] });
    const before = await ctx.instant();
    await correct(id, { title: 'New title' });

    const title = async (asOf?: Date) => {
      const page = await ctx.getTimeline.execute(new GetTimelineQuery(J.santaClara, { asOf }));
      return page.entries.find((e) => e.actionId === id)?.title;
    };
    expect(await title(before)).toBe('Old title');
    expect(await title()).toBe('New title');
    expect(await title(await ctx.instant())).toBe('New title');
  });

  it('moves the entry when the acting or affected jurisdictions change', async () => {
    const { id } = await ctx.record({ actingJurisdictionId: J.ca, affectedJurisdictionIds: [J.ca], kind: 'legislation' });
    await correct(id, { actingJurisdictionId: J.ny, affectedJurisdictionIds: [J.newYork] }, {}, 'wrong state');

    expect(await currentRows(id)).toEqual([
      expect.objectContaining({ jurisdiction_id: J.ny, is_acting: true, is_affected: false }),
      expect.objectContaining({ jurisdiction_id: J.newYork, is_acting: false, is_affected: true }),
    ]);
    const onCa = await ctx.getTimeline.execute(new GetTimelineQuery(J.santaClara, { kinds: ['legislation'] }));
    expect(onCa.entries.map((e) => e.actionId)).not.toContain(id);
    const onNyc = await ctx.getTimeline.execute(new GetTimelineQuery(J.newYork, { kinds: ['legislation'] }));
    expect(onNyc.entries.find((e) => e.actionId === id)).toMatchObject({ level: 'state', inherited: false, via: null });
  });

  it('refuses a stale expectedVersion with the current version, appending nothing', async () => {
    const { id } = await ctx.record();
    await correct(id, { title: 'Second version' });
    const err = await correct(id, { title: 'Edited from a stale page' }, { expectedVersion: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'POLICY.VERSION_CONFLICT',
      details: { actionId: id, currentVersion: 2, expectedVersion: 1 },
    });
    expect(await ctx.eventCount(id)).toBe(2);
    expect((await ctx.getAction.execute(new GetActionQuery(id))).title).toBe('Second version');
  });

  it('answers an expectedVersion on an action that does not exist with ACTION.UNKNOWN', async () => {
    const before = await ctx.eventCount();
    await expect(correct('never-recorded', { title: 'x' }, { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'ACTION.UNKNOWN',
      details: { actionId: 'never-recorded' },
    });
    await expect(correct('never-recorded', { title: 'x' })).rejects.toMatchObject({ code: 'ACTION.UNKNOWN' });
    expect(await ctx.eventCount()).toBe(before);
  });

  it('refuses a change naming an unregistered jurisdiction, at its field, appending nothing', async () => {
    const { id } = await ctx.record();
    const boston = 'ocd-division/country:us/state:ma/place:boston';
    await expect(correct(id, { affectedJurisdictionIds: [J.us, boston] })).rejects.toMatchObject({
      code: 'JURISDICTION.UNKNOWN',
      errors: [{ path: 'changes.affectedJurisdictionIds.1', message: expect.stringContaining(boston) }],
      details: { missingJurisdictions: [boston] },
    });
    await expect(correct(id, { actingJurisdictionId: boston })).rejects.toMatchObject({
      code: 'JURISDICTION.UNKNOWN',
      errors: [{ path: 'changes.actingJurisdictionId', message: expect.any(String) }],
    });
    expect(await ctx.eventCount(id)).toBe(1);
  });

  it('refuses a correction that changes nothing, and one of a retracted action', async () => {
    const { id } = await ctx.record({ title: 'Same' });
    await expect(correct(id, { title: ' Same ' })).rejects.toMatchObject({ code: 'ACTION.NO_CHANGE' });
    await ctx.retractAction.execute(new RetractActionCommand({ actionId: id, reason: 'duplicate' }));
    await expect(correct(id, { title: 'Other' })).rejects.toMatchObject({
      code: 'ACTION.NOT_CORRECTABLE',
      details: { actionId: id, status: 'retracted' },
    });
    expect(await ctx.eventCount(id)).toBe(2);
  });

  it('answers a retry under the same idempotency key with the first result, appending once', async () => {
    const { id } = await ctx.record();
    const meta = { idempotencyKey: ctx.newId('key'), expectedVersion: 1 };
    const first = await correct(id, { title: 'Corrected once' }, meta);
    const retry = await correct(id, { title: 'Corrected once' }, meta);
    expect(retry).toEqual({ ...first, replayed: true });
    expect(first.replayed).toBe(false);
    expect(await ctx.eventCount(id)).toBe(2);

    // The action moved on since: a retry still answers what the first request did.
    await correct(id, { title: 'Corrected twice' });
    expect(await correct(id, { title: 'Corrected once' }, meta)).toEqual({ ...first, replayed: true });
    expect(await ctx.eventCount(id)).toBe(3);
  });

  it('refuses the same idempotency key with another body', async () => {
    const { id } = await ctx.record();
    const idempotencyKey = ctx.newId('key');
    await correct(id, { title: 'First body' }, { idempotencyKey });
    await expect(correct(id, { title: 'Second body' }, { idempotencyKey })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    // Nor may it be spent on another action.
    const other = await ctx.record();
    await expect(correct(other.id, { title: 'First body' }, { idempotencyKey })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await ctx.eventCount(id)).toBe(2);
    expect(await ctx.eventCount(other.id)).toBe(1);
  });
});
