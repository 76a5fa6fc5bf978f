import { createPolicyTestContext, type PolicyTestContext } from '../../testing';
import { ExportActionsQuery } from './export-actions.query';
import { ExportActionsHandler } from './export-actions.query-handler';

describe('ExportActionsHandler', () => {
  let ctx: PolicyTestContext;
  const recorded: string[] = [];

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
    for (let i = 0; i < 7; i++) recorded.push((await ctx.record()).id);
    recorded.push((await ctx.propose()).id);
  });
  afterAll(() => ctx?.close());

  const all = async (rows: AsyncIterable<{ id: string; status: string }>) => {
    const out = [];
    for await (const row of rows) out.push(row);
    return out;
  };

  it('yields every action once, in the order first recorded, read a batch at a time', async () => {
    const batches = jest.spyOn(ctx.actions, 'exportBatch');
    const handler = new ExportActionsHandler(ctx.actions);
    const rows = await all(await handler.execute(new ExportActionsQuery({ batch: 3 })));
    expect(rows.map((r) => r.id)).toEqual(recorded);
    // 3 + 3 + 2: the short batch says there is no more.
    expect(batches).toHaveBeenCalledTimes(3);
    expect(rows[0]).toMatchObject({ version: 1, recordedAt: expect.any(String), updatedAt: expect.any(String), sources: expect.any(Array) });
    batches.mockRestore();
  });

  it('keeps to the statuses asked for', async () => {
    const handler = new ExportActionsHandler(ctx.actions);
    const proposed = await all(await handler.execute(new ExportActionsQuery({ statuses: ['proposed'], batch: 2 })));
    expect(proposed.map((r) => r.id)).toEqual(recorded.slice(-1));
    const published = await all(await handler.execute(new ExportActionsQuery({ statuses: ['published'] })));
    expect(published.map((r) => r.id)).toEqual(recorded.slice(0, -1));
  });

  it('reads no further batch once the reader stops', async () => {
    const batches = jest.spyOn(ctx.actions, 'exportBatch');
    const handler = new ExportActionsHandler(ctx.actions);
    let seen = 0;
    for await (const _ of await handler.execute(new ExportActionsQuery({ batch: 2 }))) {
      if (++seen === 3) break;
    }
    expect(batches).toHaveBeenCalledTimes(2);
    batches.mockRestore();
  });
});
