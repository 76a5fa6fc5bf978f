import { sql } from 'kysely';
import { GetActionQuery } from '../../queries/get-action/get-action.query';
import { actionStream } from '../../streams';
import { actionContent, createPolicyTestContext, type PolicyTestContext } from '../../testing';
import { AcceptSuggestedCorrectionCommand } from '../accept-suggested-correction/accept-suggested-correction.command';
import { DismissSuggestedCorrectionCommand } from '../dismiss-suggested-correction/dismiss-suggested-correction.command';
import { PublishActionCommand } from '../publish-action/publish-action.command';
import { RejectActionCommand } from '../reject-action/reject-action.command';
import { ProposeBatchCommand, type BatchItem } from './propose-batch.command';

describe('ProposeBatchHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
    await sql`CREATE TABLE batch_marks (mark text PRIMARY KEY, outcomes jsonb NOT NULL)`.execute(ctx.db);
  });
  afterAll(() => ctx?.close());

  const proposal = (actionId: string, title = 'Executive Order 13768: Enhancing Public Safety'): BatchItem => ({
    type: 'ProposeAction',
    data: { actionId, content: actionContent({ kind: 'executive_order', title }), proposal: { sourceSystem: 'federal-register', externalId: actionId } },
  });
  const update = (actionId: string, title: string): BatchItem => ({
    type: 'ApplySourceUpdate',
    data: { actionId, changes: { title }, reason: 'source updated' },
  });
  /** Runs a batch whose own row is a mark, so a test can see it committed with the events. */
  const run = (items: BatchItem[], mark = ctx.newId('mark')) =>
    ctx.proposeBatch.execute(
      new ProposeBatchCommand(
        items,
        async (trx, outcomes) => void (await sql`INSERT INTO batch_marks VALUES (${mark}, ${JSON.stringify(outcomes)})`.execute(trx)),
        { actor: 'worker:test' },
      ),
    );
  const marks = async (mark: string) => (await sql`SELECT 1 FROM batch_marks WHERE mark = ${mark}`.execute(ctx.db)).rows.length;
  const action = (id: string) => ctx.getAction.execute(new GetActionQuery(id));

  it('proposes new items in one transaction with the caller’s rows, and refuses a bad item while the rest go on', async () => {
    const [a, b, bad] = [ctx.newId('fr'), ctx.newId('fr'), ctx.newId('fr')];
    const badItem = proposal(bad);
    (badItem.data as { content: { affectedJurisdictionIds: string[] } }).content.affectedJurisdictionIds = ['ocd-division/country:us/state:zz'];
    const mark = ctx.newId('mark');
    const outcomes = await run([proposal(a), badItem, proposal(b)], mark);

    expect(outcomes).toEqual([
      { actionId: a, outcome: 'proposed' },
      { actionId: bad, outcome: 'refused', code: 'JURISDICTION.UNKNOWN', message: expect.stringContaining('state:zz') },
      { actionId: b, outcome: 'proposed' },
    ]);
    expect(await marks(mark)).toBe(1);
    expect((await action(a)).status).toBe('proposed');
    expect(await ctx.eventCount(bad)).toBe(0);
    const [event] = await ctx.store.readStream(actionStream(a));
    expect(event.metadata).toMatchObject({ actor: 'worker:test' });
  });

  it('refuses a proposal whose action exists already, and stores the rest of the page', async () => {
    const recorded = await ctx.record();
    const fresh = ctx.newId('fr');
    const mark = ctx.newId('mark');
    expect(await run([proposal(recorded.id), proposal(fresh)], mark)).toEqual([
      { actionId: recorded.id, outcome: 'refused', code: 'ACTION.ALREADY_EXISTS', message: expect.any(String) },
      { actionId: fresh, outcome: 'proposed' },
    ]);
    expect(await marks(mark)).toBe(1);
    expect(await ctx.eventCount(recorded.id)).toBe(1);
    expect((await action(fresh)).status).toBe('proposed');
  });

  it('stores nothing, events or rows, when the caller’s write fails', async () => {
    const id = ctx.newId('fr');
    const before = await ctx.eventCount();
    await expect(
      ctx.proposeBatch.execute(new ProposeBatchCommand([proposal(id)], async () => Promise.reject(new Error('cursor write failed')))),
    ).rejects.toThrow('cursor write failed');
    expect(await ctx.eventCount()).toBe(before);
    await expect(action(id)).rejects.toMatchObject({ code: 'ACTION.UNKNOWN' });
  });

  it('corrects a proposal that changed upstream, suggests the change once it is published, and leaves a closed one alone', async () => {
    const id = ctx.newId('fr');
    await run([proposal(id)]);
    expect(await run([update(id, 'Enhancing Public Safety in the Interior of the United States')])).toEqual([{ actionId: id, outcome: 'corrected' }]);
    expect(await action(id)).toMatchObject({ status: 'proposed', title: 'Enhancing Public Safety in the Interior of the United States', suggestion: null });
    // The same change again changes nothing.
    expect(await run([update(id, 'Enhancing Public Safety in the Interior of the United States')])).toEqual([{ actionId: id, outcome: 'unchanged' }]);

    await ctx.publishAction.execute(new PublishActionCommand({ actionId: id }));
    expect(await run([update(id, 'EO 13768 (as corrected)')])).toEqual([{ actionId: id, outcome: 'suggested' }]);
    const published = await action(id);
    expect(published).toMatchObject({
      status: 'published',
      title: 'Enhancing Public Safety in the Interior of the United States',
      suggestion: { changes: { title: 'EO 13768 (as corrected)' }, reason: 'source updated' },
    });

    await ctx.acceptSuggestion.execute(new AcceptSuggestedCorrectionCommand({ actionId: id }, { expectedVersion: published.version }));
    expect(await action(id)).toMatchObject({ title: 'EO 13768 (as corrected)', suggestion: null });
    const types = (await ctx.store.readStream(actionStream(id))).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['ActionCorrected', 'SuggestedCorrectionAccepted']);

    await run([update(id, 'Another upstream title')]);
    await ctx.dismissSuggestion.execute(new DismissSuggestedCorrectionCommand({ actionId: id, reason: 'upstream typo' }));
    expect(await action(id)).toMatchObject({ title: 'EO 13768 (as corrected)', suggestion: null });
    await expect(ctx.dismissSuggestion.execute(new DismissSuggestedCorrectionCommand({ actionId: id, reason: 'again' }))).rejects.toMatchObject({
      code: 'ACTION.NO_SUGGESTION',
    });
  });

  it('leaves a rejected proposal as the curator left it', async () => {
    const id = ctx.newId('fr');
    await run([proposal(id)]);
    await ctx.rejectAction.execute(new RejectActionCommand({ actionId: id, reason: 'not about sanctuary policy' }));
    const before = await ctx.eventCount(id);
    expect(await run([update(id, 'A new title')])).toEqual([{ actionId: id, outcome: 'unchanged' }]);
    expect(await ctx.eventCount(id)).toBe(before);
  });

  it('decides again when a curator writes to an action between its page\'s read and its append', async () => {
    const id = ctx.newId('fr');
    await run([proposal(id)]);
    const read = ctx.actions.findMany.bind(ctx.actions);
    const spy = jest.spyOn(ctx.actions, 'findMany').mockImplementationOnce(async (ids) => {
      const stale = await read(ids);
      await ctx.publishAction.execute(new PublishActionCommand({ actionId: id }));
      return stale;
    });
    try {
      expect(await run([update(id, 'Upstream title')])).toEqual([{ actionId: id, outcome: 'suggested' }]);
    } finally {
      spy.mockRestore();
    }
    expect(await action(id)).toMatchObject({ status: 'published', suggestion: { changes: { title: 'Upstream title' } } });
  });
});
