import { J, enc, expectProblem, ifMatch, startApi, type ActionBody, type ApiHarness } from '../support/api-harness';

// Full-text search of actions over HTTP: web-search syntax, ranking, snippets, facets, exact
// citations and docket numbers, jurisdiction scope, cursor pages and each bad parameter.

let api: ApiHarness;

const day = (date: string) => ({ date, precision: 'day' as const });

const FIXTURE: (Partial<ActionBody> & { id: string })[] = [
  {
    id: 'eo-13768',
    kind: 'executive_order',
    title: 'Executive Order 13768: Enhancing Public Safety in the Interior of the United States',
    summary:
      'Directs the Secretary of Homeland Security and the Attorney General to ensure that sanctuary jurisdictions ' +
      'which willfully refuse to comply with 8 U.S.C. 1373 are not eligible to receive federal grants.',
    occurredOn: day('2017-01-25'),
    actingJurisdictionId: J.us,
    affectedJurisdictionIds: [J.us],
    actors: [{ name: 'Donald Trump', office: 'President' }],
    citations: [
      { kind: 'other', text: 'Executive Order 13768' },
      { kind: 'federal_register', text: '82 FR 8799' },
    ],
  },
  {
    id: 'doj-grant-condition',
    kind: 'grant_condition',
    title: 'Attorney General conditions Byrne JAG grants on Section 1373 compliance',
    summary: 'Applicants for Office of Justice Programs grants must certify compliance; sanctuary jurisdictions stand to lose $4.1 billion.',
    occurredOn: day('2017-03-27'),
    actingJurisdictionId: J.us,
    affectedJurisdictionIds: [J.us],
    actors: [{ name: 'Jeff Sessions', office: 'Attorney General' }],
    citations: [{ kind: 'statute', text: '8 U.S.C. § 1373' }],
  },
  {
    id: 'santa-clara-lawsuit',
    kind: 'lawsuit_filing',
    title: 'Santa Clara County sues over the executive order on sanctuary jurisdictions',
    summary: 'The county asks the court to enjoin section 9(a) of Executive Order 13768 as unconstitutional.',
    occurredOn: day('2017-02-03'),
    actingJurisdictionId: J.santaClara,
    affectedJurisdictionIds: [J.santaClara],
    citations: [{ kind: 'docket', text: 'County of Santa Clara v. Trump', court: 'N.D. Cal.', docketNumber: '3:17-cv-00574' }],
  },
  {
    id: 'san-jose-statement',
    kind: 'public_statement',
    title: 'San Jose mayor: the city remains a sanctuary city',
    summary: 'The mayor said San Jose police will <not> ask about immigration status & will keep "community trust".',
    occurredOn: { date: '2017-02', precision: 'month' },
    actingJurisdictionId: J.sanJose,
    affectedJurisdictionIds: [J.sanJose],
  },
  {
    id: 'nyc-pledge',
    kind: 'defiance_pledge',
    title: 'Mayor de Blasio pledges New York will remain a sanctuary city',
    summary: 'New York will not cooperate with federal deportation efforts.',
    occurredOn: day('2017-01-25'),
    actingJurisdictionId: J.newYork,
    affectedJurisdictionIds: [J.newYork],
    actors: [{ name: 'Bill de Blasio', office: 'Mayor' }],
  },
  {
    id: 'ca-sb54',
    kind: 'legislation',
    title: 'California Values Act (SB 54)',
    summary: 'Limits the use of state and local resources for federal immigration enforcement: California becomes a sanctuary state.',
    occurredOn: day('2017-10-05'),
    actingJurisdictionId: J.ca,
    affectedJurisdictionIds: [J.ca],
  },
];

const search = async (query: string): Promise<any> => {
  const res = await api.get(`/api/v1/actions/search?${query}`);
  if (res.status !== 200) throw new Error(`search?${query}: ${res.status} ${res.text}`);
  return res.body;
};
const ids = async (query: string) => (await search(query)).results.map((r: { actionId: string }) => r.actionId);
const sorted = async (query: string) => (await ids(query)).sort();

beforeAll(async () => {
  api = await startApi();
  await api.registerTree();
  for (const action of FIXTURE) await api.createAction(action);
  await api.createAction({
    id: 'proposed-oakland',
    kind: 'resolution',
    title: 'Oakland council resolution on sanctuary city status',
    occurredOn: day('2017-03-01'),
    actingJurisdictionId: J.oakland,
    affectedJurisdictionIds: [J.oakland],
    proposal: { sourceSystem: 'city_press_feed', externalId: 'oakland-1' },
  });
});

afterAll(async () => {
  await api?.close();
});

describe('GET /api/v1/actions/search', () => {
  it('answers ranked results with snippets and facets over every match', async () => {
    const body = await search('q=sanctuary&limit=2');
    expect(body.q).toBe('sanctuary');
    expect(body.total).toBe(6);
    expect(body.results).toHaveLength(2);
    expect(body.nextCursor).toEqual(expect.any(String));
    expect(body.facets).toEqual({
      kind: { executive_order: 1, grant_condition: 1, lawsuit_filing: 1, public_statement: 1, defiance_pledge: 1, legislation: 1 },
      level: { federal: 2, state: 1, county: 1, municipal: 2 },
    });
    // The title weighs more than the summary: the two federal acts name it in their summaries only.
    expect((await ids('q=sanctuary')).slice(-3)).toEqual(expect.arrayContaining(['eo-13768', 'doj-grant-condition']));
    const hit = body.results[0];
    expect(Object.keys(hit).sort()).toEqual(
      ['actionId', 'actingJurisdictionId', 'exactMatch', 'kind', 'level', 'occurredOn', 'precision', 'rank', 'snippet', 'status', 'title'].sort(),
    );
  });

  it('reads "quotes", -word and or', async () => {
    expect(await sorted('q=%22public%20safety%22')).toEqual(['eo-13768']);
    expect(await sorted('q=%22safety%20public%22')).toEqual([]);
    expect(await sorted('q=sanctuary%20-city')).toEqual(['ca-sb54', 'doj-grant-condition', 'eo-13768', 'santa-clara-lawsuit']);
    expect(await sorted('q=blasio%20or%20sessions')).toEqual(['doj-grant-condition', 'nyc-pledge']);
    expect(await sorted('q=blasio%20sessions')).toEqual([]);
  });

  it('finds an action by its exact citation or docket number, first', async () => {
    const fr = await search(`q=${encodeURIComponent('82 FR 8799')}`);
    expect(fr.results[0]).toMatchObject({ actionId: 'eo-13768', exactMatch: true });
    const docket = await search(`q=${encodeURIComponent('3:17-cv-00574')}`);
    expect(docket.results[0]).toMatchObject({ actionId: 'santa-clara-lawsuit', exactMatch: true, level: 'county' });
    const statute = await search(`q=${encodeURIComponent('8 U.S.C. § 1373')}`);
    expect(statute.results[0]).toMatchObject({ actionId: 'doj-grant-condition', exactMatch: true });
  });

  it('marks matches in a snippet that is otherwise escaped', async () => {
    const [hit] = (await search('q=immigration%20status')).results;
    expect(hit.actionId).toBe('san-jose-statement');
    expect(hit.snippet).toContain('<mark>immigration</mark> <mark>status</mark>');
    expect(hit.snippet).toContain('&amp;');
    // Text shaped like a tag is kept, escaped (ts_headline alone would drop it).
    expect(hit.snippet).toContain('police will &lt;not&gt; ask');
    expect(hit.snippet).toContain('&quot;community');
    expect(hit.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    expect(hit).toMatchObject({ occurredOn: '2017-02', precision: 'month', level: 'municipal', status: 'published' });
  });

  it('covers a jurisdiction, what is below it and what it inherited', async () => {
    // San José: its own statement, and what reached it from its county, its state and the country.
    expect(await sorted(`q=sanctuary&jurisdiction=${enc(J.sanJose)}`)).toEqual(['ca-sb54', 'doj-grant-condition', 'eo-13768', 'santa-clara-lawsuit', 'san-jose-statement'].sort());
    // Santa Clara County: San José below it, the state and the country above it; never New York.
    expect(await sorted(`q=sanctuary&jurisdiction=${enc(J.santaClara)}`)).toEqual(['ca-sb54', 'doj-grant-condition', 'eo-13768', 'san-jose-statement', 'santa-clara-lawsuit'].sort());
    // New York: its own pledge and the federal acts; nothing of California's.
    expect(await sorted(`q=sanctuary&jurisdiction=${enc(J.ny)}`)).toEqual(['doj-grant-condition', 'eo-13768', 'nyc-pledge']);
    expectProblem(await api.get(`/api/v1/actions/search?q=x&jurisdiction=${enc('ocd-division/country:us/state:zz')}`), 404, 'JURISDICTION.UNKNOWN');
  });

  it('filters by level, kind, status and date', async () => {
    expect(await sorted('q=sanctuary&level=county,state')).toEqual(['ca-sb54', 'santa-clara-lawsuit']);
    expect(await sorted('q=sanctuary&kind=executive_order')).toEqual(['eo-13768']);
    expect(await sorted('q=sanctuary&status=proposed')).toEqual(['proposed-oakland']);
    expect((await search('q=sanctuary&status=published,proposed')).total).toBe(7);
    // A month-precision date falls in a range that holds its first day, as on the timeline.
    expect(await sorted('q=sanctuary&from=2017-02&to=2017-03')).toEqual(['doj-grant-condition', 'san-jose-statement', 'santa-clara-lawsuit']);
    expect(await sorted('q=sanctuary&from=2017-10-05')).toEqual(['ca-sb54']);
  });

  it('pages through every result once', async () => {
    const all = await search('q=sanctuary%20or%20county%20or%20mayor&limit=100');
    expect(all.total).toBeGreaterThan(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await search(`q=sanctuary%20or%20county%20or%20mayor&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.total).toBe(all.total);
      seen.push(...page.results.map((r: { actionId: string }) => r.actionId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.results.map((r: { actionId: string }) => r.actionId));
    expect(new Set(seen).size).toBe(all.total);
  });

  it('answers an empty result for a query with no searchable word', async () => {
    for (const q of ['-', 'the', '%22%22', 'or']) {
      const body = await search(`q=${q}`);
      expect(body).toMatchObject({ total: 0, results: [], facets: { kind: {}, level: {} }, nextCursor: null });
    }
  });

  it('400 for each bad parameter, naming it', async () => {
    const bad = async (query: string, path: string, code = 'REQUEST.INVALID') =>
      expectProblem(await api.get(`/api/v1/actions/search${query ? `?${query}` : ''}`), 400, code, [path]);
    await bad('', 'query.q');
    await bad('q=', 'query.q');
    await bad('q=%20%20', 'query.q');
    await bad(`q=${'a'.repeat(501)}`, 'query.q');
    await bad('q=x&q=y', 'query.q');
    await bad('q=x&level=galactic', 'query.level.0');
    await bad('q=x&kind=tweet', 'query.kind.0');
    await bad('q=x&status=draft', 'query.status.0');
    await bad('q=x&from=2017-02-30', 'query.from');
    await bad('q=x&to=2017-13', 'query.to');
    await bad('q=x&jurisdiction=garbage', 'query.jurisdiction');
    await bad('q=x&limit=0', 'query.limit');
    await bad('q=x&limit=101', 'query.limit');
    await bad('q=x&sort=rank', 'query.sort');
    await bad('q=x&cursor=bm9wZQ', 'query.cursor', 'QUERY.INVALID_CURSOR');
  });

  it('follows the writes that change what is searchable', async () => {
    await api.createAction({
      id: 'oakland-detainers',
      kind: 'ordinance',
      title: 'Oakland limits detainer holds',
      occurredOn: day('2017-05-02'),
      actingJurisdictionId: J.oakland,
      affectedJurisdictionIds: [J.oakland],
    });
    expect(await ids('q=warrants')).toEqual([]);
    const attached = await api.post('/api/v1/actions/oakland-detainers/sources', {
      source: { url: 'https://example.org/oakland-holds', publisher: 'Oakland Tribune', title: 'Council wants warrants for holds' },
    });
    expect(attached.status).toBe(201);
    expect(await ids('q=warrants')).toEqual(['oakland-detainers']);
    // Published, a proposal leaves the proposed results for the published ones.
    expect((await api.post('/api/v1/actions/proposed-oakland/publication', undefined, ifMatch(1))).status).toBe(200);
    expect(await ids('q=resolution&status=proposed')).toEqual([]);
    expect(await ids('q=resolution')).toEqual(['proposed-oakland']);
  });

  it('is not taken for an action id', async () => {
    expectProblem(await api.get('/api/v1/actions/search-not'), 404, 'ACTION.UNKNOWN');
  });
});
