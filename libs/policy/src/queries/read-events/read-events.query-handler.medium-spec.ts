import { sql } from 'kysely';
import { InvalidCheckpointError } from '@app/event-store';
import { createPolicyTestContext, type PolicyTestContext } from '../../testing';
import { ReadEventsQuery, type EventsPage } from './read-events.query';

describe('ReadEventsHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
    await ctx.record();
    await ctx.propose();
  });
  afterAll(() => ctx?.close());

  const read = (after: string | undefined, limit: number, filters: ReadEventsQuery['filters'] = {}) =>
    ctx.readEvents.execute(new ReadEventsQuery(after, limit, filters));

  /** Every page from `after` until caught up. */
  async function readToEnd(after: string | undefined, limit: number): Promise<{ items: EventsPage['items']; cursor: string; pages: EventsPage[] }> {
    const pages: EventsPage[] = [];
    let cursor = after;
    for (;;) {
      const page = await read(cursor, limit);
      pages.push(page);
      cursor = page.nextCursor;
      if (page.caughtUp) return { items: pages.flatMap((p) => p.items), cursor, pages };
    }
  }

  it('answers the whole log from the start, serialised, without transaction ids', async () => {
    await ctx.settled();
    const { items } = await readToEnd(undefined, 1000);
    expect(items).toHaveLength(await ctx.eventCount());
    expect(items.slice(-2).map((e) => e.type)).toEqual(['ActionRecorded', 'ActionProposed']);
    expect(items[0]).toEqual({
      position: expect.any(Number),
      streamId: 'jurisdiction-ocd-division/country:us',
      streamVersion: 1,
      type: 'JurisdictionRegistered',
      schemaVersion: 1,
      data: expect.objectContaining({ id: 'ocd-division/country:us' }),
      metadata: expect.objectContaining({ actor: 'test:tree' }),
      recordedAt: expect.stringMatching(/Z$/),
    });
    expect(items.every((e) => !('transactionId' in e))).toBe(true);
  });

  it('resumes after a cursor, page by page, each event once, and is caught up on a short page', async () => {
    await ctx.settled();
    const whole = (await readToEnd(undefined, 1000)).items.map((e) => e.position);
    for (const limit of [1, 3]) {
      const { items, pages } = await readToEnd(undefined, limit);
      expect(items.map((e) => e.position)).toEqual(whole);
      expect(pages.slice(0, -1).every((p) => p.items.length === limit && !p.caughtUp)).toBe(true);
      expect(pages.at(-1)!.items.length).toBeLessThan(limit);
    }
  });

  it('continues from the end cursor with what is appended later, and only that', async () => {
    await ctx.settled();
    const { cursor } = await readToEnd(undefined, 1000);
    expect(await read(cursor, 10)).toEqual({ items: [], nextCursor: cursor, caughtUp: true });
    const { id, position } = await ctx.record();
    await ctx.settled();
    const next = await read(cursor, 10);
    expect(next.items.map((e) => [e.position, e.streamId])).toEqual([[position, `action-${id}`]]);
    expect(next.caughtUp).toBe(true);
  });

  it('follows commit order: an event of a transaction still open is not passed over, though a later one commits first', async () => {
    await ctx.settled();
    const { cursor } = await readToEnd(undefined, 1000);
    let committedFirst = 0;
    await ctx.db.transaction().execute(async (trx) => {
      // This transaction takes its id first and writes last.
      await sql`SELECT pg_current_xact_id()`.execute(trx);
      committedFirst = (await ctx.record()).position;
      // The feed may not show the committed event yet: reading past it now would skip this one.
      const meanwhile = await read(cursor, 10);
      expect(meanwhile.items.map((e) => e.position)).not.toContain(committedFirst);
      await sql`INSERT INTO events (stream_id, stream_version, type, data) VALUES ('probe-1', 1, 'Probe', '{}')`.execute(trx);
    });
    await ctx.settled();
    const after = await readToEnd(cursor, 10);
    const types = after.items.map((e) => e.type);
    expect(types).toEqual(['Probe', 'ActionRecorded']);
    expect(after.items[0].position).toBeGreaterThan(committedFirst);
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(read('bm90IGEgY3Vyc29y', 10)).rejects.toBeInstanceOf(InvalidCheckpointError);
  });

  it("starts from the end with after=latest: an empty page whose cursor sees only what comes next", async () => {
    await ctx.settled();
    const { cursor: end } = await readToEnd(undefined, 1000);
    const latest = await read('latest', 10);
    expect(latest).toEqual({ items: [], nextCursor: end, caughtUp: true });
    const { id } = await ctx.record();
    await ctx.settled();
    expect((await read(latest.nextCursor, 10)).items.map((e) => e.streamId)).toEqual([`action-${id}`]);
  });

  it('keeps an event of a transaction still open after the latest cursor, though a later one commits first', async () => {
    await ctx.settled();
    let latest = '';
    let committedFirst = 0;
    await ctx.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_current_xact_id()`.execute(trx);
      committedFirst = (await ctx.record()).position;
      latest = (await read('latest', 10)).nextCursor;
      await sql`INSERT INTO events (stream_id, stream_version, type, data) VALUES ('probe-2', 1, 'Probe', '{}')`.execute(trx);
    });
    await ctx.settled();
    const after = await readToEnd(latest, 10);
    expect(after.items.map((e) => e.type)).toEqual(['Probe', 'ActionRecorded']);
    expect(after.items[1].position).toBe(committedFirst);
  });

  it('filters by type and by stream prefix, and the cursor still moves past what it leaves out', async () => {
    await ctx.settled();
    const whole = (await readToEnd(undefined, 1000)).items;
    const byType = async (types: string[], limit: number) => {
      const seen: number[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await read(cursor, limit, { types });
        seen.push(...page.items.map((e) => e.position));
        cursor = page.nextCursor;
        if (page.caughtUp) return { seen, cursor };
      }
    };
    const wanted = ['ActionProposed', 'JurisdictionRegistered'];
    for (const limit of [1, 2, 100]) {
      expect((await byType(wanted, limit)).seen).toEqual(whole.filter((e) => wanted.includes(e.type)).map((e) => e.position));
    }
    const { cursor: filteredEnd } = await byType(['ActionProposed'], 100);
    expect(filteredEnd).toBe((await read('latest', 1)).nextCursor);

    const jurisdictions = await read(undefined, 1000, { streamPrefix: 'jurisdiction-' });
    expect(jurisdictions.items.map((e) => e.position)).toEqual(whole.filter((e) => e.streamId.startsWith('jurisdiction-')).map((e) => e.position));
    expect(jurisdictions.nextCursor).toBe((await read('latest', 1)).nextCursor);
    const one = whole.find((e) => e.streamId.startsWith('action-'))!;
    const ofOne = await read(undefined, 1000, { streamPrefix: one.streamId, types: [one.type] });
    expect(ofOne.items.map((e) => [e.streamId, e.type])).toEqual([[one.streamId, one.type]]);
  });
});
