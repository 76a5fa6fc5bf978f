import { CorrectActionCommand } from '../../commands/correct-action/correct-action.command';
import { MergeActionsCommand } from '../../commands/merge-actions/merge-actions.command';
import { PublishActionCommand } from '../../commands/publish-action/publish-action.command';
import { createPolicyTestContext, type PolicyTestContext } from '../../testing';
import { GetActionHistoryQuery } from './get-action-history.query';

describe('GetActionHistoryHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const history = (id: string) => ctx.getActionHistory.execute(new GetActionHistoryQuery(id));

  it('answers every event, oldest first, with who asked and why, and never the idempotency key', async () => {
    const proposed = await ctx.propose({ title: 'Ingested title' }, { actor: 'worker:doj', correlationId: 'ingest-7', causationId: 'job-7' });
    const idempotencyKey = ctx.newId('secret-key');
    const published = await ctx.publishAction.execute(
      new PublishActionCommand({ actionId: proposed.id }, { actor: 'curator:ada', correlationId: 'review-1', causationId: 'req-1', idempotencyKey }),
    );
    await ctx.correctAction.execute(
      new CorrectActionCommand({ actionId: proposed.id, changes: { title: 'Curated title' }, reason: 'official title' }, { actor: 'curator:bo' }),
    );
    // A refused command leaves no trace.
    await expect(ctx.publishAction.execute(new PublishActionCommand({ actionId: proposed.id }))).rejects.toMatchObject({ code: 'ACTION.NOT_PROPOSED' });

    const answer = await history(proposed.id);
    expect(answer.actionId).toBe(proposed.id);
    expect(answer.events).toEqual([
      {
        version: 1,
        position: proposed.position,
        type: 'ActionProposed',
        recordedAt: expect.any(String),
        data: expect.objectContaining({ actionId: proposed.id, content: expect.objectContaining({ title: 'Ingested title' }) }),
        metadata: { actor: 'worker:doj', correlationId: 'ingest-7', causationId: 'job-7' },
        changes: expect.arrayContaining([
          { field: 'title', before: null, after: 'Ingested title' },
          { field: 'status', before: null, after: 'proposed' },
        ]),
      },
      {
        version: 2,
        position: published.position,
        type: 'ProposalPublished',
        recordedAt: expect.any(String),
        data: { actionId: proposed.id },
        metadata: { actor: 'curator:ada', correlationId: 'review-1', causationId: 'req-1' },
        changes: [{ field: 'status', before: 'proposed', after: 'published' }],
      },
      {
        version: 3,
        position: expect.any(Number),
        type: 'ActionCorrected',
        recordedAt: expect.any(String),
        data: { actionId: proposed.id, changes: { title: 'Curated title' }, reason: 'official title' },
        metadata: { actor: 'curator:bo' },
        changes: [{ field: 'title', before: 'Ingested title', after: 'Curated title' }],
      },
    ]);
    expect(answer.events.every((e) => !('idempotencyKey' in e.metadata))).toBe(true);
    expect(JSON.stringify(answer)).not.toContain(idempotencyKey);
    // The store does keep it: it is this answer that leaves it out.
    const stored = await ctx.db.selectFrom('events').select('metadata').where('position', '=', published.position).executeTakeFirstOrThrow();
    expect(stored.metadata).toMatchObject({ idempotencyKey });

    const positions = answer.events.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    const instants = answer.events.map((e) => Date.parse(e.recordedAt));
    expect(instants).toEqual([...instants].sort((x, y) => x - y));
  });

  it('says what each event did to the action, folded with the domain’s own rules', async () => {
    const survivor = await ctx.record({ title: 'Survivor' });
    const duplicate = await ctx.propose({ title: 'Duplicate', sources: [{ url: 'https://example.org/dup', publisher: 'Example' }] });
    await ctx.mergeActions.execute(new MergeActionsCommand({ actionId: duplicate.id, into: survivor.id, reason: 'same act' }, { expectedVersion: 1 }));
    const merged = (await history(duplicate.id)).events.at(-1)!;
    expect(merged.changes).toEqual([
      { field: 'status', before: 'proposed', after: 'merged' },
      { field: 'statusReason', before: null, after: 'same act' },
      { field: 'mergedInto', before: null, after: survivor.id },
    ]);
    const absorbed = (await history(survivor.id)).events.at(-1)!;
    expect(absorbed.changes.map((c) => c.field)).toEqual(['sources']);
  });

  it('answers ACTION.UNKNOWN for an id with no stream', async () => {
    await expect(history('no-such-action')).rejects.toMatchObject({ code: 'ACTION.UNKNOWN', details: { actionId: 'no-such-action' } });
  });
});
