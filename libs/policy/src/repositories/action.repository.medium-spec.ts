import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import { createPool } from '@app/db/connection';
import type { PolicyDatabase } from '../database';
import { actionContentSchema, partialDateStart, type ActionKind, type PolicyAction } from '../domain';
import { actionContent, createPolicyTestContext, J, type PolicyTestContext } from '../testing';
import { ActionRepository, type ActionRowInput, type RelationRowInput } from './action.repository';

describe('ActionRepository', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
  });
  afterAll(() => ctx?.close());

  const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));

  function state(id: string, overrides: Partial<PolicyAction> = {}): PolicyAction {
    const content = actionContentSchema.parse(actionContent());
    return { ...content, id, status: 'published', relations: [], proposal: null, statusReason: null, mergedInto: null, suggestion: null, ...overrides };
  }

  function row(s: PolicyAction, version: number, firstPosition: number, recordedAt: Date, updatedAt = recordedAt): ActionRowInput {
    return { state: s, version, occurredOn: partialDateStart(s.occurredOn), firstPosition, recordedAt, updatedAt };
  }

  describe('upsert', () => {
    it('inserts new actions and replaces the current state of known ones, in one batch', async () => {
      const a = state('repo-a');
      const b = state('repo-b', { kind: 'executive_order' });
      await ctx.actions.upsert([row(a, 1, 10, T(0)), row(b, 1, 11, T(1))]);

      const corrected = state('repo-a', {
        title: 'Corrected',
        status: 'retracted',
        statusReason: 'duplicate',
        occurredOn: { date: '2017-04', precision: 'month' },
        actingJurisdictionId: J.ca,
        affectedJurisdictionIds: [J.ca, J.us],
      });
      const c = state('repo-c');
      // The first position and recording belong to the action's first event: a later write
      // never moves them, whatever it carries.
      await ctx.actions.upsert([row(corrected, 3, 99, T(30), T(5)), row(c, 1, 12, T(6))]);

      expect(await ctx.actions.find('repo-a')).toEqual({ state: corrected, version: 3, firstPosition: 10, recordedAt: T(0), updatedAt: T(5) });
      expect(await ctx.actions.find('repo-b')).toEqual({ state: b, version: 1, firstPosition: 11, recordedAt: T(1), updatedAt: T(1) });
      expect((await ctx.actions.find('repo-c'))?.version).toBe(1);

      // The indexed columns follow the state.
      const columns = await ctx.db
        .selectFrom('actions')
        .select(['status', 'title', 'kind', 'occurred_on', 'precision', 'acting_jurisdiction_id', 'affected_jurisdiction_ids'])
        .where('id', '=', 'repo-a')
        .executeTakeFirstOrThrow();
      expect(columns).toEqual({
        status: 'retracted',
        title: 'Corrected',
        kind: 'agency_directive',
        occurred_on: '2017-04-01',
        precision: 'month',
        acting_jurisdiction_id: J.ca,
        affected_jurisdiction_ids: [J.ca, J.us],
      });
    });

    it('does nothing for an empty batch', async () => {
      await expect(ctx.actions.upsert([])).resolves.toBeUndefined();
    });
  });

  describe('find, findMany and missing', () => {
    it('answers what is stored, and tells the ids that name no action', async () => {
      await ctx.actions.upsert([row(state('repo-f1'), 1, 20, T(10)), row(state('repo-f2'), 2, 21, T(11))]);
      expect(await ctx.actions.find('repo-none')).toBeNull();
      const many = await ctx.actions.findMany(['repo-f2', 'repo-none', 'repo-f1']);
      expect([...many.keys()].sort()).toEqual(['repo-f1', 'repo-f2']);
      expect(many.get('repo-f2')).toMatchObject({ version: 2, firstPosition: 21 });
      expect(await ctx.actions.missing(['repo-none', 'repo-f1', 'repo-other'])).toEqual(['repo-none', 'repo-other']);
      expect(await ctx.actions.missing([])).toEqual([]);
    });
  });

  describe('addRelations and incomingLinks', () => {
    const link = (sourceId: string, relation: RelationRowInput['relation'], targetId: string, recordedAt: Date): RelationRowInput => ({
      sourceId,
      relation,
      targetId,
      recordedAt,
    });

    it('answers the links to an action, oldest first and by source on a tie; never its outgoing ones', async () => {
      await ctx.actions.addRelations([
        link('repo-suit', 'challenges', 'repo-order', T(20)),
        link('repo-memo', 'implements', 'repo-order', T(10)),
        link('repo-brief', 'cites', 'repo-order', T(20)),
        link('repo-order', 'amends', 'repo-older', T(5)),
        link('repo-memo', 'cites', 'repo-other', T(1)),
      ]);
      expect(await ctx.actions.incomingLinks('repo-order')).toEqual([
        { relation: 'implements', sourceId: 'repo-memo' },
        { relation: 'cites', sourceId: 'repo-brief' },
        { relation: 'challenges', sourceId: 'repo-suit' },
      ]);
      expect(await ctx.actions.incomingLinks('repo-nobody')).toEqual([]);
    });

    it('keeps a link as first recorded when it is added again (a replay or a rebuild)', async () => {
      await ctx.actions.addRelations([link('repo-x', 'responds_to', 'repo-target', T(1)), link('repo-y', 'responds_to', 'repo-target', T(2))]);
      await ctx.actions.addRelations([link('repo-x', 'responds_to', 'repo-target', T(50))]);
      expect(await ctx.actions.incomingLinks('repo-target')).toEqual([
        { relation: 'responds_to', sourceId: 'repo-x' },
        { relation: 'responds_to', sourceId: 'repo-y' },
      ]);
      const rows = await ctx.db.selectFrom('action_relations').select('recorded_at').where('source_id', '=', 'repo-x').execute();
      expect(rows).toEqual([{ recorded_at: T(1) }]);
    });
  });

  describe('list by part of the title', () => {
    it('matches any case, with %, _ and backslash taken literally', async () => {
      const titled = (id: string, title: string, position: number) => row(state(id, { title, kind: 'court_ruling' }), 1, position, T(40));
      await ctx.actions.upsert([
        titled('repo-t1', 'Judge blocks SANCTUARY funding cuts', 101),
        titled('repo-t2', 'Grants cut by 100% for sanctuary_cities', 102),
        titled('repo-t3', 'Ruling on C:\\path\\to\\file', 103),
        titled('repo-t4', 'Court hears transit case', 104),
      ]);
      const ids = async (titleContains: string) =>
        (await ctx.actions.list({ kinds: ['court_ruling'], titleContains, take: 10 })).map((a) => a.state.id);
      expect(await ids('sanctuary')).toEqual(['repo-t2', 'repo-t1']);
      expect(await ids('100%')).toEqual(['repo-t2']);
      expect(await ids('%')).toEqual(['repo-t2']);
      // A wildcard would also match "sanctuary funding" (the space).
      expect(await ids('y_')).toEqual(['repo-t2']);
      expect(await ids('\\to\\')).toEqual(['repo-t3']);
      expect(await ids('nowhere')).toEqual([]);
    });
  });

  describe('nearby', () => {
    const on = (id: string, kind: ActionKind, date: string, position: number, overrides: Partial<PolicyAction> = {}) =>
      row(state(id, { kind, occurredOn: { date, precision: 'day' }, ...overrides }), 1, position, T(50));

    beforeAll(async () => {
      await ctx.actions.upsert([
        on('near-self', 'executive_order', '2019-06-15', 200),
        on('near-same-day-later', 'executive_order', '2019-06-15', 209),
        on('near-same-day', 'executive_order', '2019-06-15', 201),
        on('near-minus-1', 'executive_order', '2019-06-14', 202),
        on('near-plus-1', 'executive_order', '2019-06-16', 203),
        on('near-minus-3', 'executive_order', '2019-06-12', 204),
        on('near-plus-7', 'executive_order', '2019-06-22', 205),
        on('near-plus-8', 'executive_order', '2019-06-23', 206),
        on('near-retracted', 'executive_order', '2019-06-15', 207, { status: 'retracted', statusReason: 'wrong' }),
        on('near-proposed', 'executive_order', '2019-06-15', 208, { status: 'proposed' }),
        on('near-other-kind', 'lawsuit_filing', '2019-06-15', 210),
        // A month-precision action sits on its first day.
        row(state('near-month', { kind: 'executive_order', occurredOn: { date: '2019-06', precision: 'month' } }), 1, 211, T(50)),
      ]);
    });

    const nearby = (days: number, take: number) =>
      ctx.actions.nearby({ kind: 'executive_order', occurredOn: '2019-06-15', days, excludeId: 'near-self', take });

    it('answers the published actions of the kind within the days, nearest first and in recording order on a tie', async () => {
      const found = await nearby(7, 50);
      expect(found.map((a) => [a.state.id, a.daysApart])).toEqual([
        ['near-same-day', 0],
        ['near-same-day-later', 0],
        ['near-minus-1', 1],
        ['near-plus-1', 1],
        ['near-minus-3', 3],
        ['near-plus-7', 7],
      ]);
      expect(found[0]).toMatchObject({ version: 1, firstPosition: 201, recordedAt: T(50), state: { status: 'published' } });
      expect((await nearby(14, 50)).map((a) => [a.state.id, a.daysApart])).toContainEqual(['near-month', 14]);
      expect((await nearby(0, 50)).map((a) => a.state.id)).toEqual(['near-same-day', 'near-same-day-later']);
    });

    it('answers at most `take`, the nearest from both sides', async () => {
      expect((await nearby(7, 3)).map((a) => a.state.id)).toEqual(['near-same-day', 'near-same-day-later', 'near-minus-1']);
      expect((await nearby(7, 5)).map((a) => a.state.id)).toEqual(['near-same-day', 'near-same-day-later', 'near-minus-1', 'near-plus-1', 'near-minus-3']);
    });

    it('reads from the index on published (kind, occurred_on), even in a generic plan', async () => {
      // One connection, so the settings hold for the statements that follow; the statement is
      // the one the repository sends, prepared and explained with sequential scans off.
      const queries: CompiledQuery[] = [];
      const db = new Kysely<PolicyDatabase>({
        dialect: new PostgresDialect({ pool: createPool(ctx.database.url, { max: 1 }) }),
        log: (event) => void (event.level === 'query' && queries.push(event.query)),
      });
      try {
        await new ActionRepository(db).nearby({ kind: 'executive_order', occurredOn: '2019-06-15', days: 7, excludeId: 'near-self', take: 200 });
        const [query] = queries;
        const literal = (value: unknown) => (typeof value === 'number' ? String(value) : `'${String(value).replace(/'/g, "''")}'`);
        await sql`SET enable_seqscan = off`.execute(db);
        await sql`SET plan_cache_mode = force_generic_plan`.execute(db);
        await db.executeQuery(CompiledQuery.raw(`PREPARE nearby AS ${query.sql}`));
        const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`EXPLAIN EXECUTE nearby(${query.parameters.map(literal).join(', ')})`),
        );
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan).toContain('actions_published_kind_occurred_on');
        expect(plan).not.toMatch(/Seq Scan/);
      } finally {
        await db.destroy();
      }
    });
  });
});
