import { RejectActionCommand } from '../../commands/reject-action/reject-action.command';
import { createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { ListActionsQuery, type ActionListFilters } from './list-actions.query';

describe('ListActionsHandler', () => {
  let ctx: PolicyTestContext;
  // Each test filters on its own source system, so the other tests' actions stay out of view.
  const list = (filters: ActionListFilters) => ctx.listActions.execute(new ListActionsQuery(filters));

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  const propose = (sourceSystem: string, externalId: string, overrides = {}) =>
    ctx.propose({ ...overrides, proposal: { sourceSystem, externalId } });

  it('lists the review queue newest first, with each action as it stands', async () => {
    const first = await propose('queue-a', '1', { title: 'First proposal' });
    const second = await propose('queue-a', '2', { title: 'Second proposal' });
    const page = await list({ statuses: ['proposed'], sourceSystem: 'queue-a' });
    expect(page.items.map((a) => [a.id, a.title, a.status, a.version])).toEqual([
      [second.id, 'Second proposal', 'proposed', 1],
      [first.id, 'First proposal', 'proposed', 1],
    ]);
    expect(page.items[0]).toMatchObject({ proposal: { sourceSystem: 'queue-a', externalId: '2' }, recordedAt: expect.any(String) });
    expect(page.items[0]).not.toHaveProperty('incoming');
    expect(page.nextCursor).toBeNull();
  });

  it('filters by status, kind and jurisdiction (acting or affected)', async () => {
    const rejected = await propose('queue-b', '1', { kind: 'public_statement', actingJurisdictionId: J.newYork, affectedJurisdictionIds: [J.newYork] });
    await ctx.rejectAction.execute(new RejectActionCommand({ actionId: rejected.id, reason: 'not a policy action' }, { expectedVersion: 1 }));
    const statement = await propose('queue-b', '2', { kind: 'public_statement', actingJurisdictionId: J.syracuse, affectedJurisdictionIds: [J.syracuse] });
    const directive = await propose('queue-b', '3', { kind: 'agency_directive', affectedJurisdictionIds: [J.us, J.syracuse] });

    const ids = async (filters: ActionListFilters) => (await list({ sourceSystem: 'queue-b', ...filters })).items.map((a) => a.id);
    expect(await ids({ statuses: ['proposed'] })).toEqual([directive.id, statement.id]);
    expect(await ids({ statuses: ['rejected'] })).toEqual([rejected.id]);
    expect(await ids({})).toEqual([directive.id, statement.id, rejected.id]);
    expect(await ids({ kinds: ['public_statement'] })).toEqual([statement.id, rejected.id]);
    // Syracuse: one action by it, one naming it; not the New York City one.
    expect(await ids({ jurisdictionId: J.syracuse })).toEqual([directive.id, statement.id]);
    expect(await ids({ jurisdictionId: J.ca })).toEqual([]);
  });

  it('finds actions by part of the title, any case, wildcards taken literally, with the other filters and pages', async () => {
    const city = await propose('queue-q', '1', { title: 'Mayor affirms SANCTUARY city status' });
    const grants = await propose('queue-q', '2', { title: 'Grants cut by 100% for sanctuary_cities' });
    const transit = await propose('queue-q', '3', { title: 'Budget hearing on transit' });
    await ctx.rejectAction.execute(new RejectActionCommand({ actionId: transit.id, reason: 'not a policy action' }, { expectedVersion: 1 }));

    const ids = async (filters: ActionListFilters) => (await list({ sourceSystem: 'queue-q', ...filters })).items.map((a) => a.id);
    expect(await ids({ q: 'Sanctuary' })).toEqual([grants.id, city.id]);
    expect(await ids({ q: '100%' })).toEqual([grants.id]);
    expect(await ids({ q: 'y_c' })).toEqual([grants.id]);
    expect(await ids({ q: 'transit', statuses: ['proposed'] })).toEqual([]);
    expect(await ids({ q: 'transit', statuses: ['rejected'] })).toEqual([transit.id]);

    const first = await list({ sourceSystem: 'queue-q', q: 'sanctuary', limit: 1 });
    expect(first.items.map((a) => a.id)).toEqual([grants.id]);
    const second = await list({ sourceSystem: 'queue-q', q: 'sanctuary', limit: 1, cursor: first.nextCursor! });
    expect([second.items.map((a) => a.id), second.nextCursor]).toEqual([[city.id], null]);
  });

  it('pages with a cursor, with no action missed or repeated', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await propose('queue-c', String(i))).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list({ sourceSystem: 'queue-c', limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
  });

  it('refuses a cursor it did not make, at query.cursor', async () => {
    for (const cursor of ['garbage', Buffer.from('0').toString('base64url'), Buffer.from('12a').toString('base64url')]) {
      await expect(list({ cursor })).rejects.toMatchObject({
        code: 'QUERY.INVALID_CURSOR',
        errors: [{ path: 'query.cursor', message: 'must be a nextCursor returned by this endpoint' }],
      });
    }
  });
});
