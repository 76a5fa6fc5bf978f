import { GetActionQuery } from '../../queries/get-action/get-action.query';
import { GetTimelineQuery } from '../../queries/get-timeline/get-timeline.query';
import { createPolicyTestContext, J, SOURCE, type PolicyTestContext } from '../../testing';
import { RejectActionCommand } from '../reject-action/reject-action.command';
import { AttachSourceCommand } from './attach-source.command';

const REGISTER = {
  url: 'https://www.federalregister.gov/documents/2017/01/30/2017-02102/enhancing-public-safety',
  publisher: 'Federal Register',
  sourceSystem: 'federal_register',
  externalId: '2017-02102',
};

describe('AttachSourceHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const attach = (actionId: string, source: object, meta = {}) =>
    ctx.attachSource.execute(new AttachSourceCommand({ actionId, source: source as typeof SOURCE }, meta));

  it('attaches a source: the next version, the source listed, and the timeline counts it', async () => {
    const { id } = await ctx.record({ affectedJurisdictionIds: [J.ny] });
    expect(await attach(id, REGISTER)).toEqual({ id, version: 2, position: expect.any(Number), replayed: false });
    expect((await ctx.getAction.execute(new GetActionQuery(id))).sources).toEqual([SOURCE, REGISTER]);
    const page = await ctx.getTimeline.execute(new GetTimelineQuery(J.newYork));
    expect(page.entries.find((e) => e.actionId === id)).toMatchObject({ sourceCount: 2, inherited: true, via: J.ny });
  });

  it('refuses a source already cited, by URL or by its system and external id, appending nothing', async () => {
    const { id } = await ctx.record();
    await attach(id, REGISTER);
    await expect(attach(id, { ...SOURCE, title: 'Same URL, another title' })).rejects.toMatchObject({
      code: 'ACTION.DUPLICATE_SOURCE',
      details: { actionId: id, url: SOURCE.url },
    });
    await expect(attach(id, { ...REGISTER, url: 'https://www.federalregister.gov/d/2017-02102' })).rejects.toMatchObject({
      code: 'ACTION.DUPLICATE_SOURCE',
      details: { url: REGISTER.url },
    });
    expect(await ctx.eventCount(id)).toBe(2);
  });

  it('validates the source', async () => {
    const { id } = await ctx.record();
    await expect(attach(id, { url: 'javascript:alert(1)', publisher: 'x' })).rejects.toMatchObject({
      code: 'ACTION.INVALID',
      errors: [{ path: 'source.url', message: 'must be an http(s) URL' }],
    });
    await expect(attach(id, { url: 'https://example.org/a', publisher: 'x', externalId: '1' })).rejects.toMatchObject({
      code: 'ACTION.INVALID',
      errors: [{ path: 'source.externalId', message: 'needs the sourceSystem it belongs to' }],
    });
    expect(await ctx.eventCount(id)).toBe(1);
  });

  it('attaches to a proposal, not to a rejected one', async () => {
    const proposal = await ctx.propose();
    await expect(attach(proposal.id, REGISTER)).resolves.toMatchObject({ version: 2 });
    await ctx.rejectAction.execute(new RejectActionCommand({ actionId: proposal.id, reason: 'out of scope' }));
    await expect(attach(proposal.id, { ...REGISTER, url: 'https://example.org/b', externalId: 'b' })).rejects.toMatchObject({
      code: 'ACTION.NOT_CORRECTABLE',
      details: { status: 'rejected' },
    });
    expect(await ctx.eventCount(proposal.id)).toBe(3);
  });

  it('refuses a stale expectedVersion, and answers an idempotent retry with the first result', async () => {
    const { id } = await ctx.record();
    const meta = { idempotencyKey: ctx.newId('key'), expectedVersion: 1 };
    const first = await attach(id, REGISTER, meta);
    expect(await attach(id, REGISTER, meta)).toEqual({ ...first, replayed: true });
    await expect(attach(id, { url: 'https://example.org/c', publisher: 'x' }, { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'POLICY.VERSION_CONFLICT',
      details: { currentVersion: 2 },
    });
    expect(await ctx.eventCount(id)).toBe(2);
  });
});
