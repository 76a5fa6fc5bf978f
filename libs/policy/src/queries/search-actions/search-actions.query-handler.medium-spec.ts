import { AttachSourceCommand } from '../../commands/attach-source/attach-source.command';
import { CorrectActionCommand } from '../../commands/correct-action/correct-action.command';
import { LinkActionsCommand } from '../../commands/link-actions/link-actions.command';
import { RetractActionCommand } from '../../commands/retract-action/retract-action.command';
import { sql } from 'kysely';
import { rebuildProjection } from '@app/event-store';
import { actionsProjection } from '../../projections';
import { RegisterJurisdictionCommand } from '../../commands/register-jurisdiction/register-jurisdiction.command';
import { ActionSearchRepository } from '../../repositories/action-search.repository';
import { createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { SearchActionsQuery, type ActionSearch, type ActionSearchFilters } from './search-actions.query';
import { SearchActionsHandler, citationRef, snippetHtml } from './search-actions.query-handler';

const IL = 'ocd-division/country:us/state:il';
const CHICAGO = 'ocd-division/country:us/state:il/place:chicago';
const day = (date: string) => ({ date, precision: 'day' as const });

describe('SearchActionsHandler', () => {
  let ctx: PolicyTestContext;
  let handler: SearchActionsHandler;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
    await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand({ id: IL, name: 'Illinois', level: 'state' }, { actor: 'test' }));
    await ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand({ id: CHICAGO, name: 'Chicago city', level: 'municipal' }, { actor: 'test' }));
    handler = new SearchActionsHandler(ctx.jurisdictions, new ActionSearchRepository(ctx.db));

    await ctx.record({
      id: 'eo-13768',
      kind: 'executive_order',
      title: 'Executive Order 13768: Enhancing Public Safety in the Interior of the United States',
      summary:
        'Directs the Secretary of Homeland Security and the Attorney General to ensure that sanctuary jurisdictions ' +
        'which willfully refuse to comply with 8 U.S.C. 1373 are not eligible to receive federal grants.',
      occurredOn: day('2017-01-25'),
      actors: [{ name: 'Donald Trump', office: 'President' }],
      citations: [
        { kind: 'other', text: 'Executive Order 13768' },
        { kind: 'federal_register', text: '82 FR 8799' },
      ],
    });
    await ctx.record({
      id: 'doj-grant-condition',
      kind: 'grant_condition',
      title: 'Attorney General conditions Byrne JAG grants on Section 1373 compliance',
      summary:
        'Jurisdictions applying for Office of Justice Programs grants must certify compliance with 8 U.S.C. 1373; ' +
        'sanctuary jurisdictions stand to lose $4.1 billion.',
      occurredOn: day('2017-03-27'),
      actors: [{ name: 'Jeff Sessions', office: 'Attorney General' }],
      citations: [{ kind: 'statute', text: '8 U.S.C. § 1373' }],
    });
    await ctx.record({
      id: 'chicago-lawsuit',
      kind: 'lawsuit_filing',
      title: 'Chicago sues the Attorney General over Byrne JAG conditions',
      summary: 'The City of Chicago asks the court to enjoin the new conditions on public safety grants.',
      occurredOn: day('2017-08-07'),
      actingJurisdictionId: CHICAGO,
      affectedJurisdictionIds: [CHICAGO, J.us],
      actors: [{ name: 'Rahm Emanuel', office: 'Mayor' }],
      citations: [{ kind: 'docket', text: 'City of Chicago v. Sessions', court: 'N.D. Ill.', docketNumber: '1:17-cv-05720' }],
    });
    await ctx.record({
      id: 'santa-clara-lawsuit',
      kind: 'lawsuit_filing',
      title: 'Santa Clara County challenges the executive order on sanctuary jurisdictions',
      summary: 'The county asks the court to enjoin section 9(a) of Executive Order 13768.',
      occurredOn: day('2017-02-03'),
      actingJurisdictionId: J.santaClara,
      affectedJurisdictionIds: [J.santaClara],
      citations: [{ kind: 'docket', text: 'County of Santa Clara v. Trump', docketNumber: '3:17-cv-00574' }],
    });
    await ctx.record({
      id: 'nyc-pledge',
      kind: 'defiance_pledge',
      title: 'Mayor de Blasio pledges New York will remain a sanctuary city',
      summary: 'New York will not cooperate with <federal> deportation efforts & will protect its residents.',
      occurredOn: day('2017-01-25'),
      actingJurisdictionId: J.newYork,
      affectedJurisdictionIds: [J.newYork],
      actors: [{ name: 'Bill de Blasio', office: 'Mayor' }],
    });
    await ctx.record({
      id: 'syracuse-pledge',
      kind: 'defiance_pledge',
      title: 'Syracuse mayor says the city will stay a sanctuary city',
      summary: 'The mayor of Syracuse said the police will not ask about immigration status.',
      occurredOn: { date: '2017-01', precision: 'month' },
      actingJurisdictionId: J.syracuse,
      affectedJurisdictionIds: [J.syracuse],
      sources: [{ url: 'https://www.syracuse.com/news/sanctuary', publisher: 'Syracuse.com', title: 'Miner: Syracuse stays a welcoming city' }],
    });
    await ctx.propose({
      id: 'proposed-statement',
      kind: 'public_statement',
      title: 'Governor comments on sanctuary city funding',
      actingJurisdictionId: J.ny,
      affectedJurisdictionIds: [J.ny],
      occurredOn: day('2017-02-01'),
    });
  });
  afterAll(() => ctx?.close());

  const search = (q: string, filters: ActionSearchFilters = {}) => handler.execute(new SearchActionsQuery(q, filters));
  const ids = (r: ActionSearch) => r.results.map((h) => h.actionId);

  it('ranks a title match above a summary match, with counts by kind and level over every match', async () => {
    const r = await search('sanctuary');
    expect(r.total).toBe(5);
    // Title (A) before summary (B): the two federal acts name it in their summaries only.
    expect(ids(r).slice(-2).sort()).toEqual(['doj-grant-condition', 'eo-13768']);
    expect(r.facets).toEqual({
      kind: { executive_order: 1, grant_condition: 1, lawsuit_filing: 1, defiance_pledge: 2 },
      level: { federal: 2, county: 1, municipal: 2 },
    });
    const ranks = r.results.map((h) => h.rank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
  });

  it('reads quotes as a phrase, - as not and or as either', async () => {
    expect(ids(await search('"public safety"')).sort()).toEqual(['chicago-lawsuit', 'eo-13768']);
    expect(ids(await search('sanctuary -city')).sort()).toEqual(['doj-grant-condition', 'eo-13768', 'santa-clara-lawsuit']);
    expect(ids(await search('syracuse or chicago')).sort()).toEqual(['chicago-lawsuit', 'syracuse-pledge']);
    // Stemmed: "pledges" finds "pledge".
    expect(ids(await search('pledge'))).toEqual(['nyc-pledge']);
  });

  it('finds an action by an exact citation or docket number, first', async () => {
    const fr = await search('82 FR 8799');
    expect(fr.results[0]).toMatchObject({ actionId: 'eo-13768', exactMatch: true });
    const docket = await search('3:17-cv-00574');
    expect(docket.results[0]).toMatchObject({ actionId: 'santa-clara-lawsuit', exactMatch: true });
    expect(docket.results.filter((h) => h.exactMatch)).toHaveLength(1);
    expect((await search('1:17-CV-05720')).results[0]).toMatchObject({ actionId: 'chicago-lawsuit', exactMatch: true });
    // The order is cited by the lawsuit too, in words: an exact hit comes before it.
    const order = await search('Executive Order 13768');
    expect(order.results[0]).toMatchObject({ actionId: 'eo-13768', exactMatch: true });
    expect(ids(order)).toContain('santa-clara-lawsuit');
  });

  it('searches actors and source titles', async () => {
    expect(ids(await search('Emanuel'))).toEqual(['chicago-lawsuit']);
    expect(ids(await search('welcoming'))).toEqual(['syracuse-pledge']);
  });

  it('covers a jurisdiction, what sits below it and what it inherited', async () => {
    // Santa Clara: its own suit and the federal acts on the whole country; not New York's pledge.
    expect(ids(await search('sanctuary', { jurisdictionId: J.santaClara })).sort()).toEqual(['doj-grant-condition', 'eo-13768', 'santa-clara-lawsuit']);
    // California: the county below it, and the country above it.
    expect(ids(await search('sanctuary', { jurisdictionId: J.ca })).sort()).toEqual(['doj-grant-condition', 'eo-13768', 'santa-clara-lawsuit']);
    // New York state: both of its cities.
    expect(ids(await search('sanctuary city', { jurisdictionId: J.ny, levels: ['municipal'] })).sort()).toEqual(['nyc-pledge', 'syracuse-pledge']);
    // The country: everything, since everything sits below it.
    expect((await search('sanctuary', { jurisdictionId: J.us })).total).toBe(5);
    await expect(search('sanctuary', { jurisdictionId: 'ocd-division/country:us/state:zz' })).rejects.toMatchObject({ code: 'JURISDICTION.UNKNOWN' });
  });

  it('filters by level, kind, status and date', async () => {
    expect(ids(await search('sanctuary', { levels: ['county'] }))).toEqual(['santa-clara-lawsuit']);
    expect(ids(await search('sanctuary', { kinds: ['executive_order', 'grant_condition'] })).sort()).toEqual(['doj-grant-condition', 'eo-13768']);
    expect(ids(await search('sanctuary', { statuses: ['proposed'] }))).toEqual(['proposed-statement']);
    expect((await search('sanctuary', { statuses: ['proposed', 'published'] })).total).toBe(6);
    // A month-precision date starts on its first day, as on the timeline.
    expect(ids(await search('sanctuary', { from: '2017-01-01', to: '2017-01-31' })).sort()).toEqual(['eo-13768', 'nyc-pledge', 'syracuse-pledge']);
    const syracuse = (await search('syracuse')).results[0];
    expect(syracuse).toMatchObject({ occurredOn: '2017-01', precision: 'month', level: 'municipal', actingJurisdictionId: J.syracuse });
  });

  it('pages through every match once, in rank order', async () => {
    const all = await search('sanctuary or chicago', { limit: 100 });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await search('sanctuary or chicago', { limit: 2, cursor });
      expect(page.total).toBe(all.total);
      seen.push(...ids(page));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual(ids(all));
    expect(pages).toBe(Math.ceil(all.total / 2));
  });

  it('marks the matching words in an escaped snippet', async () => {
    const [hit] = (await search('deportation')).results;
    expect(hit.snippet).toContain('<mark>deportation</mark>');
    expect(hit.snippet).toContain('&amp;');
    expect(hit.snippet).toContain('with &lt;federal&gt; <mark>deportation</mark>');
    expect(snippetHtml(`a <b> \u0004i\u0005 "x" \u0002y\u0003`)).toBe('a &lt;b&gt; &lt;i&gt; &quot;x&quot; <mark>y</mark>');
  });

  it('answers nothing, not an error, for a query with no searchable word', async () => {
    for (const q of ['the', '-', '""', 'or']) {
      expect(await search(q)).toEqual({ q, total: 0, facets: { kind: {}, level: {} }, results: [], nextCursor: null });
    }
    expect(citationRef('3:17-cv-00574')).toBe('317cv00574');
  });

  it('follows a correction and a retraction', async () => {
    const { id } = await ctx.record({ title: 'Denver council adopts a detainer policy', summary: 'Detainer requests need a warrant.' });
    expect(ids(await search('warrant'))).toEqual([id]);
    await ctx.correctAction.execute(
      new CorrectActionCommand({ actionId: id, changes: { summary: 'Detainer requests need a judicial order.' }, reason: 'wording' }),
    );
    expect(ids(await search('warrant'))).toEqual([]);
    expect(ids(await search('judicial'))).toEqual([id]);
  });

  it('rewrites an action\'s search row only when something searchable changed', async () => {
    const { id } = await ctx.record({ title: 'Austin council limits detainer holds', summary: 'Holds need a judicial warrant.' });
    // The transaction that last wrote the row.
    const writer = async () =>
      (await sql<{ x: string }>`SELECT xmin::text AS x FROM action_search WHERE id = ${id}`.execute(ctx.db)).rows[0].x;
    const created = await writer();
    await ctx.linkActions.execute(new LinkActionsCommand({ actionId: id, relation: 'responds_to', targetId: 'eo-13768' }));
    await ctx.attachSource.execute(new AttachSourceCommand({ actionId: id, source: { url: 'https://example.org/austin', publisher: 'KUT' } }));
    expect(await writer()).toBe(created);
    await ctx.attachSource.execute(
      new AttachSourceCommand({ actionId: id, source: { url: 'https://example.org/austin-2', publisher: 'KUT', title: 'Council votes on holds' } }),
    );
    expect(await writer()).not.toBe(created);
    expect(ids(await search('votes'))).toEqual([id]);
    // Retracted: only the status changes, and only that is written.
    await ctx.retractAction.execute(new RetractActionCommand({ actionId: id, reason: 'wrong city' }));
    expect(ids(await search('votes'))).toEqual([]);
    expect(ids(await search('votes', { statuses: ['retracted'] }))).toEqual([id]);
  });

  it('answers the same after the read model is rebuilt (the search table and its indexes come with it)', async () => {
    const before = await search('sanctuary or chicago or 3:17-cv-00574', { limit: 100 });
    await rebuildProjection(ctx.store, actionsProjection);
    expect(await search('sanctuary or chicago or 3:17-cv-00574', { limit: 100 })).toEqual(before);
    expect((await search('3:17-cv-00574')).results[0]).toMatchObject({ actionId: 'santa-clara-lawsuit', exactMatch: true });
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'action_search' AND indexdef LIKE '%USING gin%'`.execute(ctx.db);
    expect(rows[0].n).toBe(2);
    const { rows: columns } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'actions' AND column_name LIKE 'search%'`.execute(ctx.db);
    expect(columns[0].n).toBe(0);
  });

  it('refuses a cursor it did not give', async () => {
    await expect(search('sanctuary', { cursor: 'bm9wZQ' })).rejects.toMatchObject({
      code: 'QUERY.INVALID_CURSOR',
      errors: [{ path: 'query.cursor', message: 'must be a nextCursor returned by this endpoint' }],
    });
  });
});
