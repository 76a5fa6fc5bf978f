import { get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import ICAL from 'ical.js';
import { sql } from 'kysely';
import { ActionRepository } from '@app/policy';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { J, enc, expectProblem, startApi, type ActionBody, type ApiHarness } from '../support/api-harness';

// The timeline's exports (NDJSON, CSV, iCalendar, Atom) and the whole ledger's, over HTTP on
// real Postgres: each parsed back by a library of its format, never by the code that wrote it.

let api: ApiHarness;

const day = (date: string) => ({ date, precision: 'day' as const });
const timelineUrl = (id: string, query = '') => `/api/v1/jurisdictions/${enc(id)}/timeline${query ? `?${query}` : ''}`;

const FIXTURE: (Partial<ActionBody> & { id: string })[] = [
  { id: 'eo-13768', kind: 'executive_order', title: 'Enhancing Public Safety in the Interior of the United States', occurredOn: day('2017-01-25'), actingJurisdictionId: J.us, affectedJurisdictionIds: [J.us] },
  { id: 'doj-annual-report', kind: 'agency_report', occurredOn: { date: '2017', precision: 'year' }, actingJurisdictionId: J.us, affectedJurisdictionIds: [J.us] },
  { id: 'ca-sb54', kind: 'legislation', title: 'California Values Act (SB 54)', occurredOn: day('2017-10-05'), actingJurisdictionId: J.ca, affectedJurisdictionIds: [J.ca] },
  { id: 'santa-clara-ordinance', kind: 'ordinance', occurredOn: day('2017-02-01'), actingJurisdictionId: J.santaClara, affectedJurisdictionIds: [J.santaClara] },
  {
    id: 'san-jose-statement',
    kind: 'public_statement',
    // Long and not ASCII: folded by octets, not characters.
    title: `San José: the mayor's statement on the order, ${'réaffirmé '.repeat(12)}`,
    occurredOn: { date: '2017-03', precision: 'month' },
    actingJurisdictionId: J.sanJose,
    affectedJurisdictionIds: [J.sanJose],
  },
  { id: 'csv-formula', kind: 'resolution', title: '=HYPERLINK("http://evil.example"), "quoted", done', occurredOn: day('2017-12-31'), actingJurisdictionId: J.sanJose, affectedJurisdictionIds: [J.sanJose] },
  { id: 'nyc-pledge', kind: 'defiance_pledge', occurredOn: day('2017-03-27'), actingJurisdictionId: J.newYork, affectedJurisdictionIds: [J.newYork] },
];
/** San José's timeline in date order (the year-precision report sorts at 2017-01-01). */
const SAN_JOSE = ['doj-annual-report', 'eo-13768', 'santa-clara-ordinance', 'san-jose-statement', 'ca-sb54', 'csv-formula'];

beforeAll(async () => {
  api = await startApi();
  await api.registerTree();
  for (const a of FIXTURE) await api.createAction(a);
});
afterAll(() => api?.close());

const ndjsonLines = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));

describe('format=ndjson', () => {
  it('streams every entry, one JSON object per line, whatever the batch size', async () => {
    const res = await api.get(timelineUrl(J.sanJose, 'format=ndjson&limit=2'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="san-jose-city-timeline.ndjson"');
    expect(res.text.endsWith('\n')).toBe(true);
    const rows = ndjsonLines(res.text);
    expect(rows.map((r) => r.actionId)).toEqual(SAN_JOSE);
    const json = (await api.get(timelineUrl(J.sanJose, 'limit=500'))).body.entries;
    // The JSON entry, plus what a reader outside the API needs.
    expect(rows.map(({ summary, sourceUrl, actingJurisdictionName, viaName, ...entry }) => entry)).toEqual(json);
    expect(rows[4]).toMatchObject({
      actionId: 'ca-sb54',
      summary: expect.any(String),
      sourceUrl: expect.stringMatching(/^https:\/\//),
      actingJurisdictionName: 'California',
      inherited: true,
      via: J.ca,
      viaName: 'California',
    });
    expect(rows[5]).toMatchObject({ actionId: 'csv-formula', inherited: false, viaName: null, actingJurisdictionName: 'San Jose city' });
  });

  it('keeps the filters and starts from a cursor', async () => {
    const rows = ndjsonLines((await api.get(timelineUrl(J.sanJose, 'format=ndjson&inherited=false'))).text);
    expect(rows.map((r) => r.actionId)).toEqual(['san-jose-statement', 'csv-formula']);
    const first = (await api.get(timelineUrl(J.sanJose, 'limit=2'))).body;
    const rest = ndjsonLines((await api.get(timelineUrl(J.sanJose, `format=ndjson&cursor=${first.nextCursor}`))).text);
    expect(rest.map((r) => r.actionId)).toEqual(SAN_JOSE.slice(2));
  });

  it('answers an empty body for an empty timeline', async () => {
    const res = await api.get(timelineUrl(J.sanJose, 'format=ndjson&kind=lawsuit_filing'));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
  });
});

describe('format=csv', () => {
  it('holds every row (not one page) with a filename and the new columns, quoted and defused', async () => {
    const res = await api.get(timelineUrl(J.sanJose, 'format=csv&limit=2'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="san-jose-city-timeline.csv"');
    expect(res.headers['x-next-cursor']).toBeUndefined();
    expect(res.text.split('\r\n')[0]).toBe(
      'actionId,occurredOn,precision,kind,title,status,level,actingJurisdictionId,inherited,via,sourceCount,relations,' +
        'summary,sourceUrl,actingJurisdictionName,viaName',
    );
    const rows: Record<string, string>[] = parseCsv(res.text, { columns: true, record_delimiter: '\r\n' });
    expect(rows.map((r) => r.actionId)).toEqual(SAN_JOSE);
    expect(rows[4]).toMatchObject({ actionId: 'ca-sb54', actingJurisdictionName: 'California', viaName: 'California', via: J.ca, inherited: 'true' });
    expect(rows[4].sourceUrl).toMatch(/^https:\/\//);
    expect(rows[4].summary.length).toBeGreaterThan(0);
    expect(rows[3]).toMatchObject({ occurredOn: '2017-03', precision: 'month' });
    expect(rows[5].title).toBe(`'=HYPERLINK("http://evil.example"), "quoted", done`);
    expect(res.text).toContain(`,"'=HYPERLINK(""http://evil.example""), ""quoted"", done",`);
  });
});

describe('format=ics', () => {
  const events = (text: string) => new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));

  it('is an RFC 5545 calendar: CRLF lines of at most 75 octets, one all-day event per action', async () => {
    const res = await api.get(timelineUrl(J.sanJose, 'format=ics&limit=2'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/calendar/);
    expect(res.headers['content-disposition']).toBe('inline; filename="san-jose-city-timeline.ics"');
    expect(res.text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(res.text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(res.text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = res.text.split('\r\n');
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    // The long title was folded (a continuation line starts with a space).
    expect(lines.some((l) => l.startsWith(' '))).toBe(true);

    const calendar = new ICAL.Component(ICAL.parse(res.text));
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('San Jose city: policy timeline');
    expect(calendar.getFirstPropertyValue('url')).toBe(`http://localhost:80${timelineUrl(J.sanJose, 'format=ics&limit=2')}`);
    const all = events(res.text);
    expect(all.map((e) => e.uid)).toEqual(SAN_JOSE.map((id) => `${id}@policy-ledger.dev`));
    for (const e of all) expect(e.startDate.isDate).toBe(true);
    expect(res.text).toContain('DTSTART;VALUE=DATE:20170125\r\n');

    const order = all[1];
    expect(order.startDate.toString()).toBe('2017-01-25');
    expect(order.endDate.toString()).toBe('2017-01-26');
    expect(order.summary).toBe('Enhancing Public Safety in the Interior of the United States');
    expect(order.description).toContain('Kind: executive order');
    expect(order.description).toContain('Acting jurisdiction: United States');
    expect(order.description).toMatch(/Source: https:\/\//);
    expect(order.description).toContain('/console/actions/eo-13768');
    expect(order.component.getFirstPropertyValue('url')).toBe('http://localhost:80/console/actions/eo-13768');
  });

  it('is honest about a date known to the month or the year: it spans it and says so', async () => {
    const all = events((await api.get(timelineUrl(J.sanJose, 'format=ics'))).text);
    const month = all.find((e) => e.uid.startsWith('san-jose-statement@'))!;
    expect([month.startDate.toString(), month.endDate.toString()]).toEqual(['2017-03-01', '2017-04-01']);
    expect(month.summary).toMatch(/réaffirmé.*\(month known, not the day\)$/);
    expect(month.description).toContain('Date: 2017-03 (some day in March 2017; the day is not known)');
    const year = all.find((e) => e.uid.startsWith('doj-annual-report@'))!;
    expect([year.startDate.toString(), year.endDate.toString()]).toEqual(['2017-01-01', '2018-01-01']);
    expect(year.summary).toMatch(/\(year known, not the day\)$/);
  });

  it('keeps every UID across exports and after a correction', async () => {
    const uids = async () => events((await api.get(timelineUrl(J.sanJose, 'format=ics'))).text).map((e) => [e.uid, e.summary]);
    const before = await uids();
    const version = (await api.get('/api/v1/actions/santa-clara-ordinance')).body.version;
    const res = await api.patch(
      '/api/v1/actions/santa-clara-ordinance',
      { changes: { title: 'Santa Clara County ordinance, corrected title' }, reason: 'the title as adopted' },
      { headers: { 'if-match': `"${version}"` } },
    );
    expect(res.status).toBe(200);
    const after = await uids();
    expect(after.map(([uid]) => uid)).toEqual(before.map(([uid]) => uid));
    expect(after.find(([uid]) => uid === 'santa-clara-ordinance@policy-ledger.dev')![1]).toBe('Santa Clara County ordinance, corrected title');
  });
});

describe('format=atom', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['entry', 'link', 'author', 'category'].includes(name) });
  const read = (text: string) => {
    expect(XMLValidator.validate(text)).toBe(true);
    return parser.parse(text).feed;
  };

  it('is a valid Atom feed (RFC 4287) of the latest changes, newest change first', async () => {
    // A fresh change: it comes first, under the id it always had.
    const version = (await api.get('/api/v1/actions/eo-13768')).body.version;
    await api.patch('/api/v1/actions/eo-13768', { changes: { summary: 'Corrected summary.' }, reason: 'clearer' }, { headers: { 'if-match': `"${version}"` } });
    const res = await api.get(timelineUrl(J.sanJose, 'format=atom'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const feed = read(res.text);
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    // The feed's required elements: id, title, updated (and an author for entries without one).
    expect(feed.id).toBe(`tag:policy-ledger.dev,2026:timeline/${J.sanJose}`);
    expect(feed.title).toBe('San Jose city: policy timeline');
    expect(new Date(feed.updated).toISOString()).toBe(feed.updated);
    expect(feed.author[0].name).toBe('Policy Ledger');
    expect(feed.link.map((l: any) => l['@rel'])).toContain('self');

    const entries: any[] = feed.entry;
    expect(entries).toHaveLength(SAN_JOSE.length);
    expect(entries[0].id).toBe('tag:policy-ledger.dev,2026:action/eo-13768');
    expect(feed.updated).toBe(entries[0].updated);
    const updated = entries.map((e) => e.updated);
    expect([...updated].sort().reverse()).toEqual(updated);
    for (const e of entries) {
      expect(e.id).toMatch(/^tag:policy-ledger\.dev,2026:action\//);
      expect(e.title).toEqual(expect.anything());
      expect(new Date(e.updated).toISOString()).toBe(e.updated);
      expect(e.author[0].name).toEqual(expect.any(String));
      expect(e.link[0]['@href']).toMatch(/^http:\/\/localhost(:80)?\/console\/actions\//);
    }
    expect(entries[0].summary['#text'] ?? entries[0].summary).toContain('Corrected summary.');
    expect(entries[0].author[0].name).toBe('United States');
  });

  it('holds at most `limit` entries and keeps the filters', async () => {
    const feed = read((await api.get(timelineUrl(J.sanJose, 'format=atom&limit=2&inherited=false'))).text);
    expect(feed.entry).toHaveLength(2);
    expect(feed.entry.map((e: any) => e.id.split('/').at(-1)).sort()).toEqual(['csv-formula', 'san-jose-statement']);
    expect(feed.id).toBe(`tag:policy-ledger.dev,2026:timeline/${J.sanJose}?limit=2&inherited=false`);
  });
});

describe('GET /api/v1/actions/export', () => {
  it('streams every action as NDJSON in the order recorded, of any status', async () => {
    await api.createAction({ id: 'a-proposal', proposal: { sourceSystem: 'federal_register', externalId: 'fr-1' } });
    const res = await api.get('/api/v1/actions/export');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="actions.ndjson"');
    const rows = ndjsonLines(res.text);
    expect(rows.map((r) => r.id)).toEqual([...FIXTURE.map((a) => a.id), 'a-proposal']);
    const one = (await api.get('/api/v1/actions/ca-sb54')).body;
    const { incoming, ...summary } = one;
    expect(rows.find((r) => r.id === 'ca-sb54')).toEqual(summary);
    const published = ndjsonLines((await api.get('/api/v1/actions/export?status=proposed')).text);
    expect(published.map((r) => r.id)).toEqual(['a-proposal']);
  });

  it('streams every action as CSV', async () => {
    const res = await api.get('/api/v1/actions/export?format=csv&status=published');
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="actions.csv"');
    const rows: Record<string, string>[] = parseCsv(res.text, { columns: true });
    expect(rows.map((r) => r.id)).toEqual(FIXTURE.map((a) => a.id));
    expect(rows.find((r) => r.id === 'san-jose-statement')).toMatchObject({ occurredOn: '2017-03', precision: 'month', status: 'published' });
    expect(rows.find((r) => r.id === 'csv-formula')!.title).toMatch(/^'=HYPERLINK/);
  });
});

describe('a client that goes away', () => {
  it('stops the reads: no further batch is asked of the database', async () => {
    // A ledger far larger than the socket buffers (about 20 MB of NDJSON), written straight
    // into the read table: what is tested here is the stream, not the projection.
    await sql`
      INSERT INTO actions (id, version, status, kind, title, occurred_on, precision, acting_jurisdiction_id,
                           affected_jurisdiction_ids, state, first_position, recorded_at, updated_at)
      SELECT 'bulk-' || n, 1, 'retracted', 'resolution', 'bulk ' || n, '2017-06-01', 'day', ${J.us}, ARRAY[${J.us}],
             jsonb_build_object('id', 'bulk-' || n, 'status', 'retracted', 'kind', 'resolution', 'title', 'bulk ' || n,
               'summary', repeat('x', 1000), 'occurredOn', jsonb_build_object('date', '2017-06-01', 'precision', 'day'),
               'sources', '[]'::jsonb, 'tags', '[]'::jsonb, 'relations', '[]'::jsonb),
             1000000 + n, now(), now()
        FROM generate_series(1, 20000) AS n`.execute(api.db);
    const batches = jest.spyOn(api.app.get(ActionRepository, { strict: false }), 'exportBatch');
    await api.app.listen(0, '127.0.0.1');
    const { port } = api.app.getHttpServer().address() as AddressInfo;
    const received = await new Promise<number>((resolve, reject) => {
      httpGet(`http://127.0.0.1:${port}/api/v1/actions/export?status=retracted`, (res) => {
        res.once('data', (chunk: Buffer) => {
          res.destroy();
          resolve(chunk.length);
        });
      }).on('error', reject);
    });
    expect(received).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    const calls = batches.mock.calls.length;
    // 40 batches make the whole export; the socket's buffers hold a few of them at most.
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThan(20);
    await new Promise((r) => setTimeout(r, 300));
    expect(batches.mock.calls.length).toBe(calls);
    batches.mockRestore();
  });
});

describe('bad parameters', () => {
  it('answers each with a problem naming it', async () => {
    const invalid = async (url: string, path: string, message: RegExp, code = 'REQUEST.INVALID') => {
      const problem = expectProblem(await api.get(url), 400, code, [path]);
      expect(problem.errors.find((e: { path: string }) => e.path === path).message).toMatch(message);
    };
    await invalid(timelineUrl(J.sanJose, 'format=xml'), 'query.format', /must be one of json, csv, svg, ndjson, ics, atom/);
    await invalid(timelineUrl(J.sanJose, 'format=ndjson&limit=0'), 'query.limit', /at least 1/);
    await invalid(timelineUrl(J.sanJose, 'format=ics&limit=501'), 'query.limit', /at most 500/);
    await invalid(timelineUrl(J.sanJose, 'format=ics&from=2017-13'), 'query.from', /real date/);
    await invalid(timelineUrl(J.sanJose, 'format=csv&cursor=nope'), 'query.cursor', /nextCursor/, 'QUERY.INVALID_CURSOR');
    await invalid(timelineUrl(J.sanJose, 'format=atom&cursor=abc'), 'query.cursor', /not read with format=atom/);
    await invalid(timelineUrl(J.sanJose, 'format=atom&asOf=2017-01-01T00:00:00Z'), 'query.asOf', /not read with format=atom/);
    expectProblem(await api.get(timelineUrl('ocd-division/country:us/state:ma', 'format=ndjson')), 404, 'JURISDICTION.UNKNOWN');
    expectProblem(await api.get(timelineUrl('ocd-division/country:us/state:ma', 'format=atom')), 404, 'JURISDICTION.UNKNOWN');
    await invalid('/api/v1/actions/export?format=json', 'query.format', /must be ndjson or csv/);
    await invalid('/api/v1/actions/export?status=bogus', 'query.status.0', /comma-separated list/);
    await invalid('/api/v1/actions/export?limit=5', 'query.limit', /.+/);
  });
});
