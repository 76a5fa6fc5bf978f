import {
  J,
  actionBody,
  enc,
  expectProblem,
  sleep,
  startApi,
  type ActionBody,
  type ApiHarness,
} from '../support/api-harness';
import { sql } from 'kysely';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { EventStore, rebuildProjection } from '@app/event-store';
import { actionsProjection, policyInlineProjections } from '@app/policy';

// A jurisdiction's timeline: direct and inherited entries, filters, order, cursor pages, CSV,
// and as-of reads that are exact for corrections, retractions and late additions.

let api: ApiHarness;

const day = (date: string) => ({ date, precision: 'day' as const });

/** Every action of the fixture, by id: who acted, on whom, when. */
const FIXTURE: (Partial<ActionBody> & { id: string })[] = [
  // Federal, affecting the whole country: reaches every US jurisdiction.
  { id: 'eo-13768', kind: 'executive_order', occurredOn: day('2017-01-25'), actingJurisdictionId: J.us, affectedJurisdictionIds: [J.us] },
  // Year precision: sorts at the start of its year.
  { id: 'doj-annual-report', kind: 'agency_report', occurredOn: { date: '2017', precision: 'year' }, actingJurisdictionId: J.us, affectedJurisdictionIds: [J.us] },
  // Federal, naming one county only: on the US timeline (acting), the county's and its places'.
  { id: 'doj-letter-santa-clara', kind: 'agency_directive', occurredOn: day('2017-04-21'), actingJurisdictionId: J.us, affectedJurisdictionIds: [J.santaClara] },
  // Federal, naming the country and the state: reaches San José through the nearer one, CA.
  { id: 'doj-ca-grants', kind: 'grant_condition', occurredOn: day('2017-07-25'), actingJurisdictionId: J.us, affectedJurisdictionIds: [J.us, J.ca] },
  // A state law: reaches its counties and places.
  { id: 'ca-sb54', kind: 'legislation', occurredOn: day('2017-10-05'), actingJurisdictionId: J.ca, affectedJurisdictionIds: [J.ca] },
  // A county ordinance: reaches its places, never a sibling county or the state.
  { id: 'santa-clara-ordinance', kind: 'ordinance', occurredOn: day('2017-02-01'), actingJurisdictionId: J.santaClara, affectedJurisdictionIds: [J.santaClara] },
  { id: 'alameda-resolution', kind: 'resolution', occurredOn: day('2017-02-15'), actingJurisdictionId: J.alameda, affectedJurisdictionIds: [J.alameda] },
  // A city's own statement: on its timeline only, never its parents'.
  { id: 'san-jose-statement', kind: 'public_statement', occurredOn: { date: '2017-03', precision: 'month' }, actingJurisdictionId: J.sanJose, affectedJurisdictionIds: [J.sanJose] },
  // Two on the same day: recorded order breaks the tie.
  { id: 'nyc-pledge', kind: 'defiance_pledge', occurredOn: day('2017-03-27'), actingJurisdictionId: J.newYork, affectedJurisdictionIds: [J.newYork] },
  { id: 'nyc-pledge-2', kind: 'public_statement', occurredOn: day('2017-03-27'), actingJurisdictionId: J.newYork, affectedJurisdictionIds: [J.newYork] },
];

async function timeline(id: string, query = ''): Promise<any> {
  const res = await api.get(`/api/v1/jurisdictions/${enc(id)}/timeline${query ? `?${query}` : ''}`);
  if (res.status !== 200) throw new Error(`timeline ${id}?${query}: ${res.status} ${res.text}`);
  return res.body;
}

const idsOf = async (id: string, query = '') => (await timeline(id, query)).entries.map((e: { actionId: string }) => e.actionId);

beforeAll(async () => {
  api = await startApi();
  await api.registerTree();
  for (const action of FIXTURE) await api.createAction(action);
});

afterAll(async () => {
  await api?.close();
});

describe('inheritance', () => {
  it('a place sees federal, state, county and its own actions, in date order', async () => {
    const page = await timeline(J.sanJose);
    expect(page.jurisdictionId).toBe(J.sanJose);
    expect(page.asOf).toBeNull();
    expect(page.nextCursor).toBeNull();
    expect(page.entries.map((e: any) => [e.actionId, e.occurredOn, e.inherited, e.via, e.level])).toEqual([
      ['doj-annual-report', '2017', true, J.us, 'federal'],
      ['eo-13768', '2017-01-25', true, J.us, 'federal'],
      ['santa-clara-ordinance', '2017-02-01', true, J.santaClara, 'county'],
      ['san-jose-statement', '2017-03', false, null, 'municipal'],
      ['doj-letter-santa-clara', '2017-04-21', true, J.santaClara, 'federal'],
      ['doj-ca-grants', '2017-07-25', true, J.ca, 'federal'],
      ['ca-sb54', '2017-10-05', true, J.ca, 'state'],
    ]);
    expect(page.entries[1]).toEqual({
      actionId: 'eo-13768',
      kind: 'executive_order',
      title: actionBody().title,
      status: 'published',
      occurredOn: '2017-01-25',
      precision: 'day',
      level: 'federal',
      actingJurisdictionId: J.us,
      inherited: true,
      via: J.us,
      twin: false,
      relations: [],
      sourceCount: 1,
    });
  });

  it('a county sees federal and state actions and its own; not its places\' nor a sibling county\'s', async () => {
    expect(await idsOf(J.santaClara)).toEqual([
      'doj-annual-report',
      'eo-13768',
      'santa-clara-ordinance',
      'doj-letter-santa-clara',
      'doj-ca-grants',
      'ca-sb54',
    ]);
    expect(await idsOf(J.alameda)).toEqual(['doj-annual-report', 'eo-13768', 'alameda-resolution', 'doj-ca-grants', 'ca-sb54']);
  });

  it('a county action does not reach a sibling county\'s places; a state\'s does', async () => {
    expect(await idsOf(J.oakland)).toEqual(['doj-annual-report', 'eo-13768', 'alameda-resolution', 'doj-ca-grants', 'ca-sb54']);
    // A place under its state by path: state and federal reach it; no county does.
    expect(await idsOf(J.sacramento)).toEqual(['doj-annual-report', 'eo-13768', 'doj-ca-grants', 'ca-sb54']);
  });

  it('the state sees what affects it; a letter to one of its counties is not the state\'s', async () => {
    const entries = (await timeline(J.ca)).entries;
    expect(entries.map((e: any) => [e.actionId, e.inherited])).toEqual([
      ['doj-annual-report', true],
      ['eo-13768', true],
      ['doj-ca-grants', false],
      ['ca-sb54', false],
    ]);
  });

  it('the country sees what it did and what affects it, all direct', async () => {
    const entries = (await timeline(J.us)).entries;
    expect(entries.map((e: any) => e.actionId)).toEqual(['doj-annual-report', 'eo-13768', 'doj-letter-santa-clara', 'doj-ca-grants']);
    expect(entries.every((e: any) => !e.inherited && e.via === null)).toBe(true);
  });

  it('another state\'s city sees federal actions only, and its own; ties on a day in recorded order', async () => {
    const entries = (await timeline(J.newYork)).entries;
    // doj-ca-grants names the country as well as California, so it reaches New York too.
    expect(entries.map((e: any) => [e.actionId, e.via])).toEqual([
      ['doj-annual-report', J.us],
      ['eo-13768', J.us],
      ['nyc-pledge', null],
      ['nyc-pledge-2', null],
      ['doj-ca-grants', J.us],
    ]);
    expect(await idsOf(J.ny)).not.toContain('ca-sb54');
  });

  it('inherited=false keeps the direct entries only', async () => {
    expect(await idsOf(J.sanJose, 'inherited=false')).toEqual(['san-jose-statement']);
    expect(await idsOf(J.santaClara, 'inherited=false')).toEqual(['santa-clara-ordinance', 'doj-letter-santa-clara']);
    expect(await idsOf(J.sanJose, 'inherited=true')).toHaveLength(7);
  });
});

describe('consolidated city-county', () => {
  // San Francisco is one government with two OCD ids: its county and its place.
  const county = 'ocd-division/country:us/state:ca/county:san_francisco';
  const city = 'ocd-division/country:us/state:ca/place:san_francisco';

  beforeAll(async () => {
    for (const [id, name, level] of [[county, 'San Francisco County', 'county'], [city, 'San Francisco city', 'municipal']]) {
      expect((await api.post('/api/v1/jurisdictions', { id, name, level })).status).toBe(201);
    }
    await api.createAction({ id: 'sf-v-trump', kind: 'lawsuit_filing', occurredOn: day('2017-01-31'), actingJurisdictionId: county, affectedJurisdictionIds: [county] });
    await api.createAction({ id: 'sf-mayor-statement', kind: 'public_statement', occurredOn: day('2017-01-26'), actingJurisdictionId: city, affectedJurisdictionIds: [city] });
  });

  it("either id's timeline shows the acts recorded on both, the twin's marked as such", async () => {
    const direct = async (id: string) =>
      (await timeline(id, 'inherited=false')).entries.map((e: { actionId: string; inherited: boolean; via: string | null; twin: boolean }) => [
        e.actionId,
        e.inherited,
        e.via,
        e.twin,
      ]);
    expect(await direct(city)).toEqual([
      ['sf-mayor-statement', false, null, false],
      ['sf-v-trump', false, county, true],
    ]);
    expect(await direct(county)).toEqual([
      ['sf-mayor-statement', false, city, true],
      ['sf-v-trump', false, null, false],
    ]);
    // With what reached it from above, in date order (a year-precision report sorts at its start).
    expect(await idsOf(city, 'to=2017-01-31')).toEqual(['doj-annual-report', 'eo-13768', 'sf-mayor-statement', 'sf-v-trump']);
    // Pictures and CSV carry the same entries.
    const csv = await api.get(`/api/v1/jurisdictions/${enc(city)}/timeline?format=csv&inherited=false`);
    expect(csv.text).toContain('sf-v-trump');
  });
});

describe('filters', () => {
  it('level filters by the acting jurisdiction\'s level', async () => {
    expect(await idsOf(J.sanJose, 'level=federal')).toEqual(['doj-annual-report', 'eo-13768', 'doj-letter-santa-clara', 'doj-ca-grants']);
    expect(await idsOf(J.sanJose, 'level=state,county')).toEqual(['santa-clara-ordinance', 'ca-sb54']);
    expect(await idsOf(J.sanJose, 'level=municipal')).toEqual(['san-jose-statement']);
  });

  it('kind filters by kind', async () => {
    expect(await idsOf(J.sanJose, 'kind=ordinance')).toEqual(['santa-clara-ordinance']);
    expect(await idsOf(J.sanJose, 'kind=executive_order,legislation')).toEqual(['eo-13768', 'ca-sb54']);
  });

  it('from and to bound occurredOn, each at the edge of its precision', async () => {
    // The year 2017 overlaps every range within it.
    expect(await idsOf(J.sanJose, 'from=2017-02&to=2017-04')).toEqual(['doj-annual-report', 'santa-clara-ordinance', 'san-jose-statement', 'doj-letter-santa-clara']);
    expect(await idsOf(J.sanJose, 'from=2017-03-01&to=2017-03-31')).toEqual(['doj-annual-report', 'san-jose-statement']);
    // March 2017 overlaps a range starting mid-March.
    expect(await idsOf(J.sanJose, 'from=2017-03-15&level=municipal')).toEqual(['san-jose-statement']);
    expect(await idsOf(J.sanJose, 'from=2017-04-01&level=municipal')).toEqual([]);
    expect(await idsOf(J.sanJose, 'to=2017-01-25')).toEqual(['doj-annual-report', 'eo-13768']);
    expect(await idsOf(J.sanJose, 'from=2018')).toEqual([]);
  });

  it('status: published by default; proposed, retracted and rejected on request', async () => {
    const sj = { actingJurisdictionId: J.sanJose, affectedJurisdictionIds: [J.sanJose] };
    await api.createAction({ ...sj, id: 'sj-proposed', occurredOn: day('2017-05-01'), proposal: { sourceSystem: 'city_press', externalId: 'sj-1' } });
    await api.createAction({ ...sj, id: 'sj-rejected', occurredOn: day('2017-05-02'), proposal: { sourceSystem: 'city_press', externalId: 'sj-2' } });
    await api.post('/api/v1/actions/sj-rejected/rejection', { reason: 'not policy' }, { headers: { 'if-match': '1' } });
    await api.createAction({ ...sj, id: 'sj-retracted', occurredOn: day('2017-05-03') });
    await api.post('/api/v1/actions/sj-retracted/retraction', { reason: 'wrong city' }, { headers: { 'if-match': '1' } });

    expect(await idsOf(J.sanJose, 'inherited=false')).toEqual(['san-jose-statement']);
    expect(await idsOf(J.sanJose, 'inherited=false&status=proposed')).toEqual(['sj-proposed']);
    expect(await idsOf(J.sanJose, 'inherited=false&status=rejected')).toEqual(['sj-rejected']);
    const retracted = (await timeline(J.sanJose, 'status=retracted')).entries;
    expect(retracted.map((e: any) => [e.actionId, e.status])).toEqual([['sj-retracted', 'retracted']]);
    expect(await idsOf(J.sanJose, 'inherited=false&status=published,proposed,rejected,retracted')).toEqual([
      'san-jose-statement',
      'sj-proposed',
      'sj-rejected',
      'sj-retracted',
    ]);
    // A proposal published later joins the default timeline.
    await api.post('/api/v1/actions/sj-proposed/publication', undefined, { headers: { 'if-match': '1' } });
    expect(await idsOf(J.sanJose, 'inherited=false')).toEqual(['san-jose-statement', 'sj-proposed']);
  });

  it('400 for each bad parameter, naming it', async () => {
    const bad = async (query: string, path: string, code = 'REQUEST.INVALID') =>
      expectProblem(await api.get(`/api/v1/jurisdictions/${enc(J.sanJose)}/timeline?${query}`), 400, code, [path]);
    await bad('from=2017-02-30', 'query.from');
    await bad('to=2017-13', 'query.to');
    await bad('level=federal,galactic', 'query.level.1');
    await bad('kind=tweet', 'query.kind.0');
    await bad('status=draft', 'query.status.0');
    await bad('inherited=maybe', 'query.inherited');
    await bad('asOf=2017-03-28', 'query.asOf');
    await bad('asOf=2017-02-30T00:00:00Z', 'query.asOf');
    await bad('limit=0', 'query.limit');
    await bad('limit=501', 'query.limit');
    await bad('format=xml', 'query.format');
    await bad('sort=desc', 'query.sort');
    await bad('cursor=bm9wZQ', 'query.cursor', 'QUERY.INVALID_CURSOR');
  });
});

describe('cursor pages', () => {
  beforeAll(async () => {
    // Many entries on one day, so ties fall across page boundaries.
    for (let i = 0; i < 12; i++) {
      await api.createAction({
        id: `alameda-${String(i).padStart(2, '0')}`,
        occurredOn: day(i < 8 ? '2017-06-01' : `2017-06-${String(i).padStart(2, '0')}`),
        actingJurisdictionId: J.alameda,
        affectedJurisdictionIds: [J.alameda],
      });
    }
  });

  async function allPages(id: string, query: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const page = await timeline(id, `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.entries.length).toBeLessThanOrEqual(limit);
      seen.push(...page.entries.map((e: { actionId: string }) => e.actionId));
      cursor = page.nextCursor;
      if (!cursor) return seen;
    }
    throw new Error('too many pages');
  }

  it.each([1, 2, 3, 5, 7])('pages of %i concatenate to the whole timeline, no duplicates, no gaps', async (limit) => {
    for (const [id, query] of [
      [J.oakland, 'inherited=true'],
      [J.alameda, 'inherited=false'],
      [J.oakland, 'level=county,federal&from=2017-02'],
    ] as const) {
      const whole = await idsOf(id, `${query}&limit=500`);
      expect(whole.length).toBeGreaterThan(limit);
      const paged = await allPages(id, query, limit);
      expect(paged).toEqual(whole);
      expect(new Set(paged).size).toBe(paged.length);
    }
  });

  it('the last page has no nextCursor; a full page followed by nothing does', async () => {
    const whole = await idsOf(J.oakland, 'limit=500');
    expect((await timeline(J.oakland, `limit=${whole.length}`)).nextCursor).toBeNull();
    const first = await timeline(J.oakland, `limit=${whole.length - 1}`);
    expect(first.nextCursor).toEqual(expect.any(String));
    const last = await timeline(J.oakland, `limit=${whole.length - 1}&cursor=${first.nextCursor}`);
    expect(last.entries.map((e: any) => e.actionId)).toEqual([whole.at(-1)]);
    expect(last.nextCursor).toBeNull();
  });
});

describe('format=csv', () => {
  it('answers text/csv with a header row and one row per entry', async () => {
    const json = (await timeline(J.sanJose)).entries;
    const res = await api.get(`/api/v1/jurisdictions/${enc(J.sanJose)}/timeline?format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'actionId,occurredOn,precision,kind,title,status,level,actingJurisdictionId,inherited,via,sourceCount,relations,' +
        'summary,sourceUrl,actingJurisdictionName,viaName',
    );
    expect(lines).toHaveLength(json.length + 1);
    expect(lines[2].split(',').slice(0, 4)).toEqual(['eo-13768', '2017-01-25', 'day', 'executive_order']);
    expect(lines[2]).toContain(`,published,federal,${J.us},true,${J.us},1,`);
  });

  it('quotes commas and quotes, defuses formulas, and holds every row whatever the limit', async () => {
    await api.createAction({
      id: 'csv-quoting',
      title: '=HYPERLINK("http://evil.example"), "quoted", done',
      occurredOn: day('2017-12-31'),
      actingJurisdictionId: J.sanJose,
      affectedJurisdictionIds: [J.sanJose],
    });
    const res = await api.get(`/api/v1/jurisdictions/${enc(J.sanJose)}/timeline?format=csv&inherited=false&from=2017-12`);
    const row = res.text.split('\r\n')[1];
    expect(row).toContain(`,"'=HYPERLINK(""http://evil.example""), ""quoted"", done",`);

    // limit is how many are read at a time; a cursor is where the export starts.
    const whole = (await api.get(`/api/v1/jurisdictions/${enc(J.sanJose)}/timeline?format=csv`)).text;
    const paged = await api.get(`/api/v1/jurisdictions/${enc(J.sanJose)}/timeline?format=csv&limit=2`);
    expect(paged.headers['x-next-cursor']).toBeUndefined();
    expect(paged.text).toBe(whole);
    const cursor = (await timeline(J.sanJose, 'limit=2')).nextCursor;
    const next = await api.get(`/api/v1/jurisdictions/${enc(J.sanJose)}/timeline?format=csv&cursor=${cursor}`);
    expect(next.text.split('\r\n')[1]).toMatch(/^santa-clara-ordinance,/);
  });
});

describe('format=svg', () => {
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['g', 'a', 'text', 'path', 'circle', 'polyline'].includes(name) });
  const svgOf = async (id: string, query = '') => {
    const res = await api.get(`/api/v1/jurisdictions/${enc(id)}/timeline?format=svg${query ? `&${query}` : ''}`, { headers: { host: 'ledger.example:8080' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(XMLValidator.validate(res.text)).toBe(true);
    return { text: res.text, doc: xml.parse(res.text).svg, headers: res.headers };
  };
  const entriesOf = (doc: any) => doc.g.filter((g: any) => g['@class'] === 'entry');

  it('draws one linked entry per timeline entry, in order, inherited ones hollow, text escaped', async () => {
    const json = (await timeline(J.sanJose)).entries;
    const { text, doc } = await svgOf(J.sanJose);
    expect(doc['@role']).toBe('img');
    expect(doc.title['#text']).toBe('Policy timeline of San Jose city');
    expect(doc.desc['#text']).toContain(`${json.length} policy actions`);
    const drawn = entriesOf(doc);
    expect(drawn.map((g: any) => g['@data-action-id'])).toEqual(json.map((e: any) => e.actionId));
    // Each title links to its action, absolute on the request's own origin.
    expect(drawn[1].a[0]['@href']).toBe('http://ledger.example:8080/api/v1/actions/eo-13768');
    const dayEntries = json.filter((e: any) => e.precision === 'day');
    expect(doc.circle.filter((c: any) => c['@class'] === 'mark')).toHaveLength(dayEntries.length);
    expect(text.match(/stroke=[^>]*class="mark"/g)).toHaveLength(dayEntries.filter((e: any) => e.inherited).length);
    // The year and the month are spans over their period, not points.
    expect(doc.path.filter((p: any) => p['@class'] === 'span')).toHaveLength(json.length - dayEntries.length);
    expect(text).toContain('&quot;quoted&quot;');
    expect(text).not.toContain('"quoted"');
    // Legend and footer: where and when, citable.
    expect(text).toContain('inherited from a jurisdiction above');
    expect(text).toMatch(/Generated \d{4}-\d{2}-\d{2}T[\d:.]+Z at ledger position \d+, from:/);
    expect(text).toContain(`class="foot">http://ledger.example:8080/api/v1/jurisdictions/${enc(J.sanJose)}/timeline?format=svg<`);
  });

  it('puts the filters in its heading and pages as JSON does', async () => {
    const { text, headers } = await svgOf(J.sanJose, 'from=2017-03-15&to=2017-10&level=federal,state&kind=legislation,grant_condition&limit=1');
    expect(text).toContain('Dates: 15 Mar 2017 to 31 Oct 2017 (a month or year overlapping it included)');
    expect(text).toContain('kinds: legislation, grant condition');
    expect(text).toContain('acting levels: federal, state');
    expect(headers['x-next-cursor']).toEqual(expect.any(String));
    expect(text).toContain(`cursor=${headers['x-next-cursor']}`);
  });

  it('draws an arrow from a statement to the grant condition it responds to; names one outside the picture', async () => {
    const fresno = 'ocd-division/country:us/state:ca/place:fresno';
    expect((await api.post('/api/v1/jurisdictions', { id: fresno, name: 'Fresno city', level: 'municipal' })).status).toBe(201);
    await api.createAction({
      id: 'fresno-response',
      kind: 'public_statement',
      occurredOn: day('2017-07-26'),
      actingJurisdictionId: fresno,
      affectedJurisdictionIds: [fresno],
      relations: [
        { relation: 'responds_to', targetId: 'doj-ca-grants' },
        { relation: 'cites', targetId: 'nyc-pledge' },
      ],
    });
    const { text, doc } = await svgOf(fresno);
    const arrows = doc.path.filter((p: any) => p['@class'] === 'arrow' && p['@data-from']);
    expect(arrows.map((p: any) => [p['@data-from'], p['@data-to'], p['@data-relation']])).toEqual([['fresno-response', 'doj-ca-grants', 'responds_to']]);
    expect(text).toContain('points from an action to the one it names');
    expect(text).toContain('cites nyc-pledge, not in this picture');
    expect(text).toContain('href="http://ledger.example:8080/api/v1/actions/nyc-pledge"');
    // Without the grant condition in the picture, no arrow: the relation is listed as text.
    const { text: alone } = await svgOf(fresno, 'inherited=false');
    expect(alone).not.toContain('marker-end=');
    expect(alone).toContain('responds to doj-ca-grants, not in this picture');
  });

  it('leaves out control characters XML cannot hold, so the picture stays well-formed', async () => {
    const fresno = 'ocd-division/country:us/state:ca/place:fresno';
    await api.createAction({ actingJurisdictionId: fresno, affectedJurisdictionIds: [fresno], title: 'Bell\u0007 and\u0001 escape' });
    const { text } = await svgOf(fresno);
    expect(text).toContain('Bell and escape');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });
});

describe('asOf', () => {
  const syracuse = 'ocd-division/country:us/state:ny/place:syracuse';
  // recordedAt of each write, from the action's history (transaction time).
  let t1: string;
  let t2: string;
  let t3: string;
  let t4: string;

  const minus1ms = (iso: string) => new Date(new Date(iso).getTime() - 1).toISOString();
  const view = async (id: string, asOf: string, query = '') =>
    (await timeline(id, `asOf=${encodeURIComponent(asOf)}${query ? `&${query}` : ''}`)).entries
      .filter((e: any) => e.actionId === 'syr-x' || e.actionId === 'syr-late')
      .map((e: any) => `${e.actionId}|${e.title}|${e.occurredOn}|${e.status}|${e.inherited ? `via ${e.via}` : 'direct'}`);
  const recordedAt = async (id: string, version: number) =>
    (await api.get(`/api/v1/actions/${id}/history`)).body.events.find((e: any) => e.version === version).recordedAt as string;

  beforeAll(async () => {
    expect((await api.post('/api/v1/jurisdictions', { id: syracuse, name: 'Syracuse city', level: 'municipal' })).status).toBe(201);
    const on = { actingJurisdictionId: syracuse, affectedJurisdictionIds: [syracuse] };
    // T1: recorded.
    await api.createAction({ ...on, id: 'syr-x', title: 'v1', occurredOn: day('2017-03-28') });
    await sleep(5);
    // T2: corrected: new title and date, and now it also names the state (so it reaches NYC).
    const fix = { changes: { title: 'v2', occurredOn: day('2017-03-29'), affectedJurisdictionIds: [syracuse, J.ny] }, reason: 'per the mayor\'s office' };
    expect((await api.patch('/api/v1/actions/syr-x', fix, { headers: { 'if-match': '1' } })).status).toBe(200);
    await sleep(5);
    // T3: retracted.
    expect((await api.post('/api/v1/actions/syr-x/retraction', { reason: 'duplicate' }, { headers: { 'if-match': '2' } })).status).toBe(200);
    await sleep(5);
    // T4: a late addition about an earlier day.
    await api.createAction({ ...on, id: 'syr-late', title: 'late', occurredOn: day('2017-01-15') });
    [t1, t2, t3] = await Promise.all([recordedAt('syr-x', 1), recordedAt('syr-x', 2), recordedAt('syr-x', 3)]);
    t4 = await recordedAt('syr-late', 1);
    expect(new Set([t1, t2, t3, t4]).size).toBe(4);
  });

  it('before anything was recorded: empty', async () => {
    expect(await view(syracuse, minus1ms(t1))).toEqual([]);
  });

  it('from T1 to just before T2: the first version', async () => {
    for (const at of [t1, minus1ms(t2)]) {
      expect(await view(syracuse, at)).toEqual(['syr-x|v1|2017-03-28|published|direct']);
      expect(await view(J.newYork, at)).toEqual([]);
    }
  });

  it('from T2 to just before T3: the corrected version, now also inherited by NYC through the state', async () => {
    for (const at of [t2, minus1ms(t3)]) {
      expect(await view(syracuse, at)).toEqual(['syr-x|v2|2017-03-29|published|direct']);
      expect(await view(J.newYork, at)).toEqual([`syr-x|v2|2017-03-29|published|via ${J.ny}`]);
    }
  });

  it('from T3: retracted, so gone by default and shown on request; the late addition not yet known', async () => {
    for (const at of [t3, minus1ms(t4)]) {
      expect(await view(syracuse, at)).toEqual([]);
      expect(await view(J.newYork, at)).toEqual([]);
      expect(await view(syracuse, at, 'status=published,retracted')).toEqual(['syr-x|v2|2017-03-29|retracted|direct']);
    }
  });

  it('from T4: the late addition, in its place by date; and the same as the current timeline', async () => {
    expect(await view(syracuse, t4, 'status=published,retracted')).toEqual([
      'syr-late|late|2017-01-15|published|direct',
      'syr-x|v2|2017-03-29|retracted|direct',
    ]);
    const now = (await timeline(syracuse)).entries.map((e: any) => e.actionId);
    const asOfNow = (await timeline(syracuse, `asOf=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).entries;
    expect(asOfNow.map((e: any) => e.actionId)).toEqual(now);
    expect(now).toContain('syr-late');
  });

  it('echoes asOf, and accepts any zone offset for the same instant', async () => {
    const zoned = new Date(new Date(t2).getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect(await view(syracuse, zoned)).toEqual(['syr-x|v2|2017-03-29|published|direct']);
    expect((await timeline(syracuse, `asOf=${encodeURIComponent(t2)}`)).asOf).toBe(t2);
  });

  it('pages as of a past instant too', async () => {
    const at = minus1ms(t3);
    const whole = (await timeline(J.newYork, `asOf=${encodeURIComponent(at)}&limit=500`)).entries.map((e: any) => e.actionId);
    const first = await timeline(J.newYork, `asOf=${encodeURIComponent(at)}&limit=2`);
    const rest = await timeline(J.newYork, `asOf=${encodeURIComponent(at)}&limit=500&cursor=${first.nextCursor}`);
    expect([...first.entries, ...rest.entries].map((e: any) => e.actionId)).toEqual(whole);
    expect(whole).toContain('syr-x');
  });
});

describe('rebuild', () => {
  const everyTimelineRow = async () =>
    (await sql<{ row: string }>`SELECT to_jsonb(t)::text AS row FROM timeline_entries t ORDER BY 1`.execute(api.db)).rows.map((r) => r.row);

  it('rebuilds the timeline rows exactly, history included, also across a correction that moves the acting jurisdiction', async () => {
    // A place no other action acts for, so only the corrected action's history names it.
    const albany = 'ocd-division/country:us/state:ny/place:albany';
    expect((await api.post('/api/v1/jurisdictions', { id: albany, name: 'Albany city', level: 'municipal' })).status).toBe(201);
    await api.createAction({ id: 'moved-x', actingJurisdictionId: albany, affectedJurisdictionIds: [albany] });
    await sleep(5);
    const fix = { changes: { actingJurisdictionId: J.ny }, reason: 'it was the state, not the city' };
    expect((await api.patch('/api/v1/actions/moved-x', fix, { headers: { 'if-match': '1' } })).status).toBe(200);
    const before = await everyTimelineRow();
    expect(before.filter((r) => r.includes('"moved-x"') && r.includes('"acting_level": "municipal"'))).not.toEqual([]);

    await rebuildProjection(new EventStore(api.db, { inlineProjections: policyInlineProjections }), actionsProjection);
    expect(await everyTimelineRow()).toEqual(before);
  });
});
