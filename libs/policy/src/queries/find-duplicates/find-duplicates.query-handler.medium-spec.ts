import { MergeActionsCommand } from '../../commands/merge-actions/merge-actions.command';
import { RetractActionCommand } from '../../commands/retract-action/retract-action.command';
import { createPolicyTestContext, type ActionOverrides, type PolicyTestContext } from '../../testing';
import { FindDuplicatesQuery, type DuplicateSearch } from './find-duplicates.query';

describe('FindDuplicatesHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const find = (actionId: string, search?: DuplicateSearch) => ctx.findDuplicates.execute(new FindDuplicatesQuery(actionId, search));
  const found = async (actionId: string, search?: DuplicateSearch) =>
    (await find(actionId, search)).items.map((c) => [c.action.id, c.similarity, c.daysApart]);

  // Each test keeps to a year of its own, so the others' actions are never near enough.
  const day = (date: string) => ({ occurredOn: { date, precision: 'day' as const } });
  const order = (date: string, title: string, overrides: ActionOverrides = {}) =>
    ctx.record({ kind: 'executive_order', title, ...day(date), ...overrides });

  const TITLE = 'President signs executive order on sanctuary jurisdictions';

  it('answers published actions of the kind, near in time, with a similar title: best first, then nearest', async () => {
    const self = await order('2017-01-25', TITLE);
    const same = await order('2017-01-27', 'Sanctuary jurisdictions: the President signs an executive order');
    const sameNearer = await order('2017-01-24', 'Executive order on sanctuary jurisdictions: President signs');
    const alike = await order('2017-01-25', 'President signs executive order on border security');
    await order('2017-01-25', 'Governor vetoes transit budget'); // nothing in common
    await order('2017-01-25', 'Order on the budget'); // one word shared of eight: 0.25
    await ctx.record({ kind: 'public_statement', title: TITLE, ...day('2017-01-25') });
    await ctx.propose({ kind: 'executive_order', title: TITLE, ...day('2017-01-25') });
    const retracted = await order('2017-01-25', TITLE);
    await ctx.retractAction.execute(new RetractActionCommand({ actionId: retracted.id, reason: 'recorded twice' }, { expectedVersion: 1 }));

    const answer = await find(self.id);
    expect(answer.actionId).toBe(self.id);
    expect(answer.items.map((c) => [c.action.id, c.similarity, c.daysApart])).toEqual([
      [sameNearer.id, 1, 1],
      [same.id, 1, 2],
      // president signs executive order + sanctuary jurisdictions / border security: 8 / 12
      [alike.id, 0.67, 0],
    ]);
    expect(answer.items[0].action).toMatchObject({ id: sameNearer.id, kind: 'executive_order', status: 'published', version: 1, recordedAt: expect.any(String) });
    expect(answer.items[0].action).not.toHaveProperty('incoming');
  });

  it('looks `days` either side of the day (7 when not said), and answers `limit` at most (5 when not said)', async () => {
    const self = await order('2018-03-10', TITLE);
    const made: Record<number, string> = {};
    for (const offset of [-10, -7, -1, 1, 3, 8, 20]) {
      const date = new Date(Date.UTC(2018, 2, 10 + offset)).toISOString().slice(0, 10);
      made[offset] = (await order(date, TITLE)).id;
    }
    expect(await found(self.id)).toEqual([-1, 1, 3, -7].map((o) => [made[o], 1, Math.abs(o)]));
    expect(await found(self.id, { days: 10 })).toEqual([-1, 1, 3, -7, 8].map((o) => [made[o], 1, Math.abs(o)]));
    expect((await found(self.id, { days: 60, limit: 20 })).map(([id]) => id)).toEqual([-1, 1, 3, -7, 8, -10, 20].map((o) => made[o]));
    expect(await found(self.id, { days: 0 })).toEqual([]);
    expect(await found(self.id, { limit: 2 })).toEqual([-1, 1].map((o) => [made[o], 1, Math.abs(o)]));
  });

  it('finds the published duplicates of a proposal, and none for a merged one among them', async () => {
    const published = await order('2019-05-01', TITLE);
    const proposal = await ctx.propose({ kind: 'executive_order', title: TITLE, ...day('2019-05-02') });
    expect(await found(proposal.id)).toEqual([[published.id, 1, 1]]);

    const duplicate = await order('2019-05-01', TITLE);
    expect((await found(published.id)).map(([id]) => id)).toEqual([duplicate.id]);
    await ctx.mergeActions.execute(new MergeActionsCommand({ actionId: duplicate.id, into: published.id, reason: 'the same order' }, { expectedVersion: 1 }));
    expect(await found(published.id)).toEqual([]);
  });

  it('answers ACTION.UNKNOWN for an id nothing was recorded under', async () => {
    await expect(find('no-such-action')).rejects.toMatchObject({ code: 'ACTION.UNKNOWN', details: { actionId: 'no-such-action' } });
  });
});
