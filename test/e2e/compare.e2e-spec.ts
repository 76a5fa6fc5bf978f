import 'reflect-metadata';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseConfig } from '@app/config';
import { createDb, migrateToLatest } from '@app/db';
import { startEmbeddedPostgresProcess } from '@app/db/testing';
import { createApiApp } from '../../apps/api/src/app';
import { checkReplyAgainstContract } from '../support/openapi-check';
import { ADMIN_KEY, J, TREE, actionBody, expectProblem, startApi, type ActionBody, type ApiHarness } from '../support/api-harness';

// Several timelines side by side: one row per action in date order, shared acts once across
// their columns, own acts in their column; JSON pages, the CSV of every row, the SVG picture,
// each bad parameter's problem, and the same answers on the embedded PGlite default.

const day = (date: string) => ({ date, precision: 'day' as const });

const FIXTURE: (Partial<ActionBody> & { id: string })[] = [
  { id: 'eo-13768', title: 'Executive Order 13768', kind: 'executive_order', occurredOn: day('2017-01-25'), actingJurisdictionId: J.us, affectedJurisdictionIds: [J.us] },
  { id: 'santa-clara-ordinance', title: 'Santa Clara County civil detainer ordinance', kind: 'ordinance', occurredOn: day('2017-02-01'), actingJurisdictionId: J.santaClara, affectedJurisdictionIds: [J.santaClara] },
  { id: 'nyc-pledge', title: 'Mayor de Blasio pledges to protect New Yorkers', kind: 'defiance_pledge', occurredOn: day('2017-03-27'), actingJurisdictionId: J.newYork, affectedJurisdictionIds: [J.newYork] },
  // Naming two of the compared places: own in both columns.
  { id: 'joint-brief', title: 'San Jose and Oakland file a joint amicus brief', kind: 'amicus_brief', occurredOn: { date: '2017-04', precision: 'month' }, actingJurisdictionId: J.sanJose, affectedJurisdictionIds: [J.sanJose, J.oakland] },
  { id: 'ca-sb54', title: 'California Values Act (SB 54)', kind: 'legislation', occurredOn: day('2017-10-05'), actingJurisdictionId: J.ca, affectedJurisdictionIds: [J.ca] },
  { id: 'oakland-quoting', title: '=SUM(1), "quoted" & <escaped>', kind: 'public_statement', occurredOn: day('2017-12-31'), actingJurisdictionId: J.oakland, affectedJurisdictionIds: [J.oakland] },
];

const COMPARED = [J.sanJose, J.oakland, J.newYork];
const q = (ids: readonly string[]) => `jurisdictions=${encodeURIComponent(ids.join(','))}`;

/** Each row as [actionId, shared, [[jurisdiction, inherited, via], …]]. */
const cells = (body: any) =>
  body.rows.map((r: any) => [r.actionId, r.shared, r.columns.map((c: any) => [c.jurisdictionId, c.inherited, c.via])]);

const EXPECTED_ROWS = [
  ['eo-13768', true, [[J.sanJose, true, J.us], [J.oakland, true, J.us], [J.newYork, true, J.us]]],
  ['santa-clara-ordinance', false, [[J.sanJose, true, J.santaClara]]],
  ['nyc-pledge', false, [[J.newYork, false, null]]],
  ['joint-brief', true, [[J.sanJose, false, null], [J.oakland, false, null]]],
  ['ca-sb54', true, [[J.sanJose, true, J.ca], [J.oakland, true, J.ca]]],
  ['oakland-quoting', false, [[J.oakland, false, null]]],
];

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
  await api.registerTree();
  for (const action of FIXTURE) await api.createAction(action);
});

afterAll(async () => {
  await api?.close();
});

async function compare(query: string): Promise<any> {
  const res = await api.get(`/api/v1/compare?${query}`);
  if (res.status !== 200) throw new Error(`compare?${query}: ${res.status} ${res.text}`);
  return res.body;
}

describe('GET /api/v1/compare (json)', () => {
  it('aligns the timelines by date: a shared act once across its columns, own acts in their column', async () => {
    const body = await compare(q(COMPARED));
    expect(body.jurisdictions).toEqual([
      { id: J.sanJose, name: 'San Jose city', level: 'municipal' },
      { id: J.oakland, name: 'Oakland city', level: 'municipal' },
      { id: J.newYork, name: 'New York city', level: 'municipal' },
    ]);
    expect(body).toMatchObject({ from: null, to: null, nextCursor: null });
    expect(cells(body)).toEqual(EXPECTED_ROWS);
    expect(body.rows[0]).toEqual({
      actionId: 'eo-13768',
      occurredOn: '2017-01-25',
      precision: 'day',
      kind: 'executive_order',
      title: 'Executive Order 13768',
      level: 'federal',
      actingJurisdictionId: J.us,
      sourceCount: 1,
      shared: true,
      columns: COMPARED.map((id) => ({ jurisdictionId: id, inherited: true, via: J.us, viaName: 'United States' })),
    });
    expect(body.rows[3]).toMatchObject({ occurredOn: '2017-04', precision: 'month' });
  });

  it('pages with a cursor, each action once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await compare(`${q(COMPARED)}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.rows.map((r: any) => r.actionId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(EXPECTED_ROWS.map((r) => r[0]));
  });

  it('filters by date range, kind and acting level as the timeline does', async () => {
    const ids = async (query: string) => (await compare(`${q(COMPARED)}&${query}`)).rows.map((r: any) => r.actionId);
    expect(await ids('from=2017-03&to=2017-10')).toEqual(['nyc-pledge', 'joint-brief', 'ca-sb54']);
    expect(await ids('kind=legislation,ordinance')).toEqual(['santa-clara-ordinance', 'ca-sb54']);
    expect(await ids('level=federal,state')).toEqual(['eo-13768', 'ca-sb54']);
    expect(await compare(`${q(COMPARED)}&from=2017-03&to=2017`)).toMatchObject({ from: '2017-03-01', to: '2017-12-31' });
  });
});

describe('format=csv', () => {
  it('answers every row (not a page) with a column per jurisdiction: own, inherited via <name>, or empty', async () => {
    const res = await api.get(`/api/v1/compare?${q(COMPARED)}&format=csv&limit=1`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="compare-san_jose-oakland-new_york.csv"');
    expect(res.text.endsWith('\r\n')).toBe(true);
    const records: string[][] = parseCsv(res.text, { relaxColumnCount: false });
    expect(records[0]).toEqual([
      'actionId', 'occurredOn', 'precision', 'kind', 'title', 'level', 'actingJurisdictionId', 'shared',
      'San Jose city', 'Oakland city', 'New York city',
    ]);
    expect(records.slice(1).map((r) => [r[0], ...r.slice(8)])).toEqual([
      ['eo-13768', 'inherited via United States', 'inherited via United States', 'inherited via United States'],
      ['santa-clara-ordinance', 'inherited via Santa Clara County', '', ''],
      ['nyc-pledge', '', '', 'own'],
      ['joint-brief', 'own', 'own', ''],
      ['ca-sb54', 'inherited via California', 'inherited via California', ''],
      ['oakland-quoting', '', 'own', ''],
    ]);
    expect(records[4].slice(1, 3)).toEqual(['2017-04', 'month']);
    // Quoted as RFC 4180 says, and a leading = defused for spreadsheets.
    expect(records[6][4]).toBe(`'=SUM(1), "quoted" & <escaped>`);
  });
});

describe('format=svg', () => {
  it('draws the columns under their names, a shared act once as a band, with legend and footer', async () => {
    const res = await api.get(`/api/v1/compare?${q(COMPARED)}&format=svg&kind=executive_order,legislation,ordinance,amicus_brief,defiance_pledge,public_statement`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(res.headers['content-disposition']).toBe('inline; filename="compare-san_jose-oakland-new_york.svg"');
    expect(XMLValidator.validate(res.text)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(res.text);
    const svg = doc.svg;
    expect(svg.role).toBe('img');
    expect(svg.title['#text']).toBe('Policy actions compared: San Jose city, Oakland city, New York city');
    expect(svg.desc['#text']).toMatch(/6 acts in date order/);
    const texts: string[] = [svg.text].flat().map((t: any) => String(typeof t === 'object' ? t['#text'] : t));
    for (const name of ['San Jose city', 'Oakland city', 'New York city']) expect(texts).toContain(name);
    // Each act's title once, however many columns it spans (titles here fit on one line).
    for (const title of ['Executive Order 13768', 'California Values Act (SB 54)', 'San Jose and Oakland file a joint amicus brief']) {
      expect(texts.filter((t) => t === title)).toHaveLength(1);
    }
    expect(texts).toContain('=SUM(1), "quoted" & <escaped>');
    expect(texts.filter((t) => t === 'via United States')).toHaveLength(3);
    expect(texts.filter((t) => t === 'own')).toHaveLength(4);
    expect(texts).toContain('Acting level:');
    expect(texts.some((t) => t.startsWith('Compared: San Jose city (ocd-division/country:us/state:ca/place:san_jose)'))).toBe(true);
    expect(texts.some((t) => t.includes('kind executive_order, legislation'))).toBe(true);
    expect(texts.some((t) => /^Generated \d{4}-\d{2}-\d{2}T[\d:.]+Z by Policy Ledger/.test(t))).toBe(true);
    // The request it answers, readable, wrapped over the footer's lines.
    const unwrapped = (text: string) => text.replace(/\s/g, '');
    expect(unwrapped(texts.join(''))).toContain(unwrapped(`Source: GET /api/v1/compare?jurisdictions=${J.sanJose},${J.oakland},${J.newYork}&format=svg`));
    // The band of the federal order spans the three columns; the ordinance sits in San Jose's alone.
    const rects: any[] = [svg.rect].flat();
    const bands = rects.filter((r) => r['stroke-width'] === '1.2');
    expect(bands).toHaveLength(6);
    expect(Number(bands[0].width)).toBeGreaterThan(3 * Number(bands[1].width) - 1);
  });

  it('pages as JSON does, with X-Next-Cursor', async () => {
    const res = await api.get(`/api/v1/compare?${q(COMPARED)}&format=svg&limit=2`);
    expect(res.status).toBe(200);
    expect(res.headers['x-next-cursor']).toEqual(expect.any(String));
    expect(res.text).toContain('first page only');
  });
});

describe('bad parameters', () => {
  const bad = async (query: string, path: string, message?: RegExp) => {
    const res = await api.get(`/api/v1/compare?${query}`);
    const problem = expectProblem(res, 400, 'REQUEST.INVALID', [path]);
    if (message) expect(problem.errors[0].message).toMatch(message);
  };

  it('jurisdictions: missing, too few, too many, repeated, malformed', async () => {
    await bad('', 'query.jurisdictions', /2 to 6/);
    await bad(q([J.sanJose]), 'query.jurisdictions', /at least 2/);
    const seven = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((p) => `ocd-division/country:us/state:ca/place:${p}`);
    await bad(q(seven), 'query.jurisdictions', /at most 6/);
    await bad(q([J.sanJose, J.oakland, J.sanJose]), 'query.jurisdictions', /once/);
    await bad(q([J.sanJose, 'ocd-division/country:us/state:CA']), 'query.jurisdictions', /not an Open Civic Data division id/);
  });

  it('dates, kinds, levels, limit, format, cursor and unknown parameters', async () => {
    await bad(`${q(COMPARED)}&from=2017-02-30`, 'query.from', /real date/);
    await bad(`${q(COMPARED)}&to=soon`, 'query.to');
    await bad(`${q(COMPARED)}&kind=decree`, 'query.kind.0');
    await bad(`${q(COMPARED)}&level=galactic`, 'query.level.0');
    await bad(`${q(COMPARED)}&limit=501`, 'query.limit', /at most 500/);
    await bad(`${q(COMPARED)}&limit=0`, 'query.limit');
    await bad(`${q(COMPARED)}&format=pdf`, 'query.format');
    await bad(`${q(COMPARED)}&colour=red`, 'query.colour');
    const res = await api.get(`/api/v1/compare?${q(COMPARED)}&cursor=nonsense`);
    expectProblem(res, 400, 'QUERY.INVALID_CURSOR', ['query.cursor']);
  });

  it('an unregistered jurisdiction is a 404 naming it', async () => {
    const nowhere = 'ocd-division/country:us/state:ca/place:nowhere';
    const res = await api.get(`/api/v1/compare?${q([J.sanJose, nowhere])}`);
    const problem = expectProblem(res, 404, 'JURISDICTION.UNKNOWN');
    expect(problem.detail).toContain(nowhere);
  });
});

describe('on the embedded PGlite default', () => {
  it('answers the same comparison in each format', async () => {
    const server = await startEmbeddedPostgresProcess();
    // One connection, without prepared statements, as openDatabase uses PGlite.
    const db = createDb(server.url, { max: 1, prepareStatements: false });
    let app: Awaited<ReturnType<typeof createApiApp>> | undefined;
    try {
      await migrateToLatest(db);
      const config = parseConfig({ NODE_ENV: 'test', DATABASE_URL: server.url, LOG_LEVEL: 'silent', API_ADMIN_KEY: ADMIN_KEY });
      app = await createApiApp({ config, db, databaseUrl: server.url });
      await app.init();
      const fastify = app.getHttpAdapter().getInstance();
      await fastify.ready();
      const request = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
        const res = await fastify.inject({
          method,
          url,
          headers: method === 'POST' ? { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' } : {},
          payload: body === undefined ? undefined : JSON.stringify(body),
        });
        checkReplyAgainstContract(method, url, { status: res.statusCode, headers: res.headers, text: res.body });
        if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
        return res;
      };
      for (const j of TREE) await request('POST', '/api/v1/jurisdictions', j);
      for (const action of FIXTURE) await request('POST', '/api/v1/actions', actionBody(action));

      const json = await request('GET', `/api/v1/compare?${q(COMPARED)}`);
      expect(cells(JSON.parse(json.body))).toEqual(EXPECTED_ROWS);
      const csv = await request('GET', `/api/v1/compare?${q(COMPARED)}&format=csv`);
      expect(parseCsv(csv.body)).toHaveLength(EXPECTED_ROWS.length + 1);
      const svg = await request('GET', `/api/v1/compare?${q(COMPARED)}&format=svg`);
      expect(XMLValidator.validate(svg.body)).toBe(true);
    } finally {
      await app?.close();
      await db.destroy().catch(() => undefined);
      await server.stop();
    }
  }, 120_000);
});
