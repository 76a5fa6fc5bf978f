import { checkProof, ProjectionRunner, SEAL_PROJECTION, sealingProjection } from '@app/event-store';
import { eventually } from '../../../../event-store/src/testing/helpers';
import { CorrectActionCommand } from '../../commands/correct-action/correct-action.command';
import { createPolicyTestContext, type PolicyTestContext } from '../../testing';
import { GetLedgerHeadHandler } from '../get-ledger-head/get-ledger-head.query-handler';
import { GetActionProofHandler } from './get-action-proof.query-handler';
import { GetActionProofQuery } from './get-action-proof.query';

describe('GetActionProofHandler and GetLedgerHeadHandler', () => {
  let ctx: PolicyTestContext;
  let proofs: GetActionProofHandler;
  let heads: GetLedgerHeadHandler;
  let sealer: ProjectionRunner;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
    proofs = new GetActionProofHandler(ctx.store);
    heads = new GetLedgerHeadHandler(ctx.store);
    sealer = new ProjectionRunner(ctx.store, [sealingProjection()]);
  });
  afterAll(() => ctx?.close());

  /** Seals until the head covers every event (other files' transactions can hold the horizon back). */
  const sealEverything = async () => {
    const events = await ctx.eventCount();
    await eventually(async () => (await sealer.catchUp(SEAL_PROJECTION), (await heads.execute()).size === events), { what: 'the seal' });
  };

  it("answers the head and a proof of each of the action's events that checks against it", async () => {
    const { id } = await ctx.record({ title: 'Grant conditions announced' });
    await ctx.correctAction.execute(new CorrectActionCommand({ actionId: id, changes: { title: 'Byrne JAG grant conditions' }, reason: 'named' }));
    await sealEverything();
    const proof = await proofs.execute(new GetActionProofQuery(id));
    expect(proof.head).toEqual(await heads.execute());
    expect(proof.events.map((e) => [e.event.type, e.leafIndex !== null])).toEqual([['ActionRecorded', true], ['ActionCorrected', true]]);
    // Unsigned here (no key): it holds only when the reader accepts that.
    expect(checkProof(proof, { allowUnsigned: true })).toMatchObject({ ok: true, signature: { ok: false, reason: 'the head is not signed' } });
    expect(checkProof(proof).ok).toBe(false);
  });

  it('answers an event written since the last seal with no place yet', async () => {
    const { id } = await ctx.record();
    const proof = await proofs.execute(new GetActionProofQuery(id));
    expect(proof.events).toEqual([expect.objectContaining({ leafIndex: null, path: [] })]);
    expect(checkProof(proof, { allowUnsigned: true }).events[0]).toMatchObject({ ok: false, reason: 'not sealed yet: ask again shortly' });
  });

  it('answers ACTION.UNKNOWN for an action never recorded', async () => {
    await expect(proofs.execute(new GetActionProofQuery('no-such-action'))).rejects.toMatchObject({ code: 'ACTION.UNKNOWN' });
  });
});
