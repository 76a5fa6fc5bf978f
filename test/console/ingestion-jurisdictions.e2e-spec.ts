import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createApiKey } from '@app/db';
import { J, enc } from '../support/api-harness';
import {
  expectAccessible,
  expectNoOverflow,
  openBrowser,
  screenshot,
  signIn,
  startConsoleServer,
  unexpectedErrors,
  type BrowserSession,
  type ConsoleServer,
} from '../support/browser';
import { ok, startReplayServer, type ReplayServer } from '../support/replay-server';

// The console's ingestion and jurisdiction pages in Debian's Chromium against the real API on
// real Postgres: a source run by hand and followed to its counts, parked items retried and
// dismissed, the directory searched, and a timeline seen as a picture and a table, filtered,
// looked at as of an earlier instant and downloaded as CSV. The Federal Register and a tribal
// council's press feed are a local replay server; runs go in-process (no Redis).

jest.setTimeout(60_000);

const FIXTURES = join(__dirname, '../fixtures/sources');
const fixture = (path: string) => JSON.parse(readFileSync(join(FIXTURES, path), 'utf8'));
const WITH_MALFORMED = fixture('federal-register/documents-with-malformed-item.json');
const NOTHING = fixture('federal-register/documents-no-results.json');
// The adapter's first 366-day window holds every document served; the later ones, none.
const FIRST_WINDOW = { 'conditions[signing_date][gte]': '2017-01-20', 'conditions[signing_date][lte]': '2018-01-20' };
const FEDERAL_REGISTER = 'Federal Register: executive orders, proclamations and memoranda';

// A tribe is in no shipped directory (the census places, states, territories and courts): a feed
// naming it as its publisher is refused by the ledger, and parked at 'propose', until the
// jurisdiction is registered. Such an item a retry can store, since it proposes the stored
// proposal anew. (A 'parse' item is read again from its stored payload by the same adapter, so
// it stays unreadable whatever the source serves now.)
const HOOPA = 'ocd-division/country:us/state:ca/reservation:hoopa_valley';
const FEED_ID = 'feed:hoopa-valley';
const FEED_NAME = 'Hoopa Valley Tribe: council news';
const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Hoopa Valley Tribal Council: News</title>
    <link>https://www.hoopa-nsn.gov/news/</link>
    <description>Statements of the Tribal Council</description>
    <item>
      <title>Tribal Council will not enter a 287(g) agreement</title>
      <link>https://www.hoopa-nsn.gov/news/287g-statement/</link>
      <guid isPermaLink="false">hoopa-news-2017-04-12</guid>
      <pubDate>Wed, 12 Apr 2017 09:00:00 -0700</pubDate>
      <description>The Tribal Council said its police will not take part in federal immigration enforcement.</description>
    </item>
  </channel>
</rss>`;

/** What the Federal Register serves for the first window: changed where a test needs it. */
let served: { results: Record<string, unknown>[] } & Record<string, unknown> = WITH_MALFORMED;
let replay: ReplayServer;
let server: ConsoleServer;
let browser: BrowserSession;
let curator: string;
/** The curator key's caller id, as a parked item's resolution records it. */
let curatorId: string;
let analyst: string;

const base = () => server.origin;
const api = () => server.api;

beforeAll(async () => {
  replay = await startReplayServer([
    { path: '/api/v1/documents.json', query: FIRST_WINDOW, responses: [() => ok(served)] },
    { path: '/api/v1/documents.json', responses: [ok(NOTHING)] },
    { path: '/hoopa/news.rss', responses: [{ status: 200, headers: { 'content-type': 'application/rss+xml' }, body: FEED }] },
  ]);
  server = await startConsoleServer({ FEDERAL_REGISTER_BASE_URL: `${replay.url}/api/v1` });
  await api().registerTree();
  const cora = await createApiKey(api().db, { role: 'curator', name: 'Cora (curator)' });
  curator = cora.key;
  curatorId = `key:${cora.id}`;
  analyst = (await createApiKey(api().db, { role: 'analyst', name: 'Ana (analyst)' })).key;
  browser = await openBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await replay?.close();
});

/** A parked item, as GET /api/v1/ingestion/parked lists it. */
interface Parked {
  id: number;
  externalId: string | null;
  stage: 'parse' | 'propose';
  status: 'parked' | 'retried' | 'dismissed';
  runId: number | null;
  reason: string;
  resolvedAt: string | null;
  resolutionReason: string | null;
  resolvedBy: string | null;
}

const parkedItems = async (query: string): Promise<Parked[]> => (await api().get(`/api/v1/ingestion/parked?${query}`, { key: analyst })).body.items;

/** The runs table's row of a run, once it shows the run finished. */
async function finishedRow(page: Page, runId: number) {
  const row = page.getByRole('region', { name: 'Runs table' }).getByRole('row', { name: new RegExp(`^#${runId} `) });
  await row.getByText('succeeded', { exact: true }).waitFor({ timeout: 15_000 });
  return row;
}

describe('ingestion', () => {
  let page: Page;
  let malformed: Parked;
  beforeAll(async () => {
    page = await browser.newPage();
    await signIn(page, base(), curator, '/console/ingestion');
  });
  afterAll(() => page.context().close());

  it('runs the Federal Register by hand and follows the run to its counts and its parked item', async () => {
    const sources = page.getByRole('region', { name: 'Sources table' });
    const fr = sources.getByRole('row', { name: new RegExp(`^${FEDERAL_REGISTER}`) });
    await fr.waitFor();
    // Id, type, enabled, schedule, last run.
    expect((await fr.getByRole('cell').allTextContents()).slice(0, 5)).toEqual(['federal-register', 'federal-register', 'Yes', '15 6 * * *', 'Never run']);
    await page.getByText('Nothing is parked.').waitFor();
    await expectAccessible(page);

    await fr.getByRole('button', { name: `Run ${FEDERAL_REGISTER} now` }).click();
    const started = page.getByRole('status').filter({ hasText: /^Run #\d+ of Federal Register.* started\.$/ });
    await started.waitFor();
    const runId = Number(/#(\d+)/.exec((await started.textContent())!)![1]);

    // The page polls while the run goes, and says how it ended.
    await page.getByRole('status').filter({ hasText: `Run #${runId} of ${FEDERAL_REGISTER} succeeded: fetched 3, proposed 2, parked 1.` }).waitFor({ timeout: 15_000 });
    const row = await finishedRow(page, runId);
    const cells = await row.getByRole('cell').allTextContents();
    // Source, status, trigger, started, duration, pages, fetched, proposed, corrected, suggested, unchanged, parked, failed, error.
    expect(cells.slice(0, 3)).toEqual([FEDERAL_REGISTER, 'succeeded', 'manual']);
    expect(cells.slice(6, 13)).toEqual(['3', '2', '0', '0', '0', '1', '0']);
    await expect(fr.textContent()).resolves.toMatch(/succeeded.*fetched 3, proposed 2, parked 1/);

    [malformed] = await parkedItems('source=federal-register');
    // The malformed document has no document number either: it is known by its payload only.
    expect(malformed).toMatchObject({ runId, stage: 'parse', status: 'parked', externalId: null });
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: `Parked item ${malformed.id}` }) });
    await card.getByText('Parse: the source’s item could not be read').waitFor();
    await expect(card.textContent()).resolves.toMatch(/signing_date/);
    await card.getByText('Raw payload').click();
    await card.getByText(/"signing_date": "January 25, 2017"/).waitFor();
    expect((await api().get('/api/v1/actions?status=proposed&sourceSystem=federal-register')).body.items).toHaveLength(2);
  });

  it('an analyst sees the sources and parked items, and cannot run, retry or dismiss', async () => {
    const reader = await browser.newPage();
    await signIn(reader, base(), analyst, '/console/ingestion');
    await reader.getByText('Your key reads only').waitFor();
    const runButtons = reader.getByRole('region', { name: 'Sources table' }).getByRole('button', { name: /^Run .* now$/ });
    await runButtons.first().waitFor();
    for (const button of await runButtons.all()) await expect(button.isDisabled()).resolves.toBe(true);
    await expect(reader.getByRole('button', { name: `Retry parked item ${malformed.id}` }).isDisabled()).resolves.toBe(true);
    await expect(reader.getByRole('button', { name: `Dismiss parked item ${malformed.id}` }).isDisabled()).resolves.toBe(true);
    await reader.context().close();
  });

  let refused: Parked;

  it('runs a feed whose publisher the ledger does not know yet: its item is parked at propose', async () => {
    const added = await api().post('/api/v1/ingestion/sources', {
      id: FEED_ID,
      name: FEED_NAME,
      config: { url: `${replay.url}/hoopa/news.rss`, publisher: 'Hoopa Valley Tribal Council', jurisdictionId: HOOPA },
      schedule: '40 7 * * 1-5',
    });
    expect(added.status).toBe(201);
    await page.reload();
    await page.getByRole('button', { name: `Run ${FEED_NAME} now` }).click();
    const started = page.getByRole('status').filter({ hasText: /^Run #\d+ of Hoopa Valley.* started\.$/ });
    await started.waitFor();
    const runId = Number(/#(\d+)/.exec((await started.textContent())!)![1]);
    const cells = await (await finishedRow(page, runId)).getByRole('cell').allTextContents();
    expect(cells.slice(6, 13)).toEqual(['1', '0', '0', '0', '0', '0', '1']); // fetched 1, failed 1

    [refused] = await parkedItems(`source=${FEED_ID}`);
    expect(refused).toMatchObject({ runId, stage: 'propose', status: 'parked', externalId: 'hoopa-news-2017-04-12', reason: expect.stringContaining('JURISDICTION.UNKNOWN') });
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: `Parked item ${refused.id}` }) });
    await card.getByText('Propose: the ledger refused the proposal').waitFor();
    await expect(card.textContent()).resolves.toContain(HOOPA);
    await expectAccessible(page);
    await screenshot(page, 'ingestion');
  });

  it('fits a 390 px phone, parked items and all', async () => {
    const phone = await browser.newPage(390);
    await signIn(phone, base(), curator, '/console/ingestion');
    await phone.getByRole('region', { name: 'Runs table' }).waitFor();
    await phone.getByRole('heading', { name: `Parked item ${refused.id}` }).waitFor();
    await expectNoOverflow(phone);
    await expectAccessible(phone);
    await phone.context().close();
  });

  it('retries the refused item once its jurisdiction is registered; an unreadable one stays parked, and is dismissed', async () => {
    // The unreadable item, retried, is refused again: said at the list, and still parked.
    await page.getByRole('button', { name: `Retry parked item ${malformed.id}` }).click();
    await page.getByRole('alert').filter({ hasText: 'INGESTION.STILL_UNREADABLE' }).waitFor();
    await page.getByText(`Parked item ${malformed.id} was not stored.`).waitFor();
    expect((await parkedItems('source=federal-register'))[0]).toMatchObject({ id: malformed.id, status: 'parked' });

    // The refused one goes through once the tribe is registered.
    const registered = await api().post('/api/v1/jurisdictions', { id: HOOPA, name: 'Hoopa Valley Tribe', level: 'tribal' });
    expect(registered.status).toBe(201);
    await page.getByRole('button', { name: `Retry parked item ${refused.id}` }).click();
    await page.getByRole('status').filter({ hasText: new RegExp(`^Parked item ${refused.id} stored by run #\\d+: fetched 1, proposed 1\\.$`) }).waitFor();
    await page.getByRole('heading', { name: `Parked item ${refused.id}` }).waitFor({ state: 'detached' });
    const [retried] = await parkedItems(`source=${FEED_ID}&status=retried`);
    expect(retried).toMatchObject({ id: refused.id, status: 'retried', resolvedAt: expect.any(String), resolvedBy: curatorId, resolutionReason: null });
    expect(await parkedItems(`source=${FEED_ID}`)).toEqual([]);
    const proposals = (await api().get(`/api/v1/actions?status=proposed&sourceSystem=${FEED_ID}`)).body.items;
    expect(proposals).toEqual([
      expect.objectContaining({ title: 'Tribal Council will not enter a 287(g) agreement', status: 'proposed', actingJurisdictionId: HOOPA }),
    ]);

    // The unreadable one is set aside for good.
    await page.getByRole('button', { name: `Dismiss parked item ${malformed.id}` }).click();
    const dialog = page.getByRole('dialog', { name: `Dismiss parked item ${malformed.id}` });
    await dialog.waitFor();
    await expectAccessible(page);
    // Without a reason it is not dismissed: the dialog says so at the field.
    await dialog.getByRole('button', { name: 'Dismiss', exact: true }).click();
    await dialog.getByRole('alert').waitFor();
    await expect(dialog.getByLabel('Reason').getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await parkedItems('source=federal-register'))[0]).toMatchObject({ id: malformed.id, status: 'parked' });
    await dialog.getByLabel('Reason').fill('The signing date is not a date; the corrected document is in the ledger.');
    await dialog.getByRole('button', { name: 'Dismiss', exact: true }).click();
    await page.getByRole('status').filter({ hasText: `Parked item ${malformed.id} dismissed.` }).waitFor();
    await page.getByText('Nothing is parked.').waitFor();
    const [dismissed] = await parkedItems('source=federal-register&status=dismissed');
    expect(dismissed).toMatchObject({
      id: malformed.id,
      status: 'dismissed',
      resolvedAt: expect.any(String),
      resolutionReason: 'The signing date is not a date; the corrected document is in the ledger.',
      resolvedBy: curatorId,
    });
  });
});

describe('jurisdictions', () => {
  let page: Page;
  let statement: { id: string };
  beforeAll(async () => {
    // One of the county's, which San José inherits, and one of the city's own.
    await api().createAction({
      kind: 'lawsuit_filing',
      title: 'County of Santa Clara v. Trump filed',
      summary: 'The county sued over the executive order withholding grants from sanctuary jurisdictions.',
      occurredOn: { date: '2017-02-03', precision: 'day' },
      actingJurisdictionId: J.santaClara,
      affectedJurisdictionIds: [J.santaClara],
    });
    statement = await api().createAction({
      kind: 'public_statement',
      title: 'San Jose council reaffirms its welcoming city policy',
      summary: 'The city council said San Jose police will keep out of federal immigration enforcement.',
      occurredOn: { date: '2017-03-07', precision: 'day' },
      actingJurisdictionId: J.sanJose,
      affectedJurisdictionIds: [J.sanJose],
    });
    page = await browser.newPage();
    await signIn(page, base(), curator, '/console/jurisdictions');
  });
  afterAll(() => page.context().close());

  it('finds a jurisdiction in the directory and opens its timeline, as a picture and a table', async () => {
    await page.getByLabel('Search the directory').fill('san jose');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '1 jurisdiction named like “san jose”.' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'jurisdictions');

    await page.getByRole('link', { name: 'San Jose, CA', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'San Jose city' }).waitFor();
    expect(decodeURIComponent(page.url())).toContain(`/console/jurisdictions/${J.sanJose}`);
    await page
      .getByRole('img', {
        name: 'Timeline of San Jose city: 2 entries from 2017-02-03 to 2017-03-07, 1 inherited from jurisdictions it sits in. The same entries are listed in the table below.',
      })
      .waitFor();
    const table = page.getByRole('region', { name: 'Timeline entries table' });
    const own = table.getByRole('row', { name: /San Jose council reaffirms its welcoming city policy/ });
    const inherited = table.getByRole('row', { name: /County of Santa Clara v\. Trump filed/ });
    await expect(own.textContent()).resolves.toMatch(/2017-03-07.*Public statement.*San Jose, CA.*No.*published/);
    await expect(inherited.textContent()).resolves.toMatch(/2017-02-03.*Lawsuit filing.*Santa Clara County, CA.*Yes, via Santa Clara County, CA/);
    await expectAccessible(page);
    await screenshot(page, 'jurisdiction-timeline');
  });

  it('filters by kind, downloads what is shown as CSV, and shows the timeline as it was before the action was recorded', async () => {
    const table = page.getByRole('region', { name: 'Timeline entries table' });
    const own = table.getByRole('row', { name: /San Jose council reaffirms/ });
    const inherited = table.getByRole('row', { name: /County of Santa Clara v\. Trump/ });
    await page.getByLabel('Kind').selectOption('public_statement');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await inherited.waitFor({ state: 'detached' });
    await own.waitFor();
    await page.getByRole('img', { name: /^Timeline of San Jose city: 1 entry on 2017-03-07\./ }).waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('san-jose-city-timeline.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('San Jose council reaffirms its welcoming city policy');
    expect(csv).not.toContain('County of Santa Clara v. Trump');
    expect(csv.trimEnd().split('\r\n')).toHaveLength(2); // the header and the one entry
    await page.getByRole('status').filter({ hasText: 'Downloaded 1 entry as san-jose-city-timeline.csv.' }).waitFor();

    // A second before the statement was recorded, the ledger did not hold it.
    const { events } = (await api().get(`/api/v1/actions/${enc(statement.id)}/history`)).body;
    const recordedAt = new Date(events[0].recordedAt).getTime();
    const before = new Date(Math.floor(recordedAt / 1000) * 1000 - 1000).toISOString().slice(0, 19);
    await page.getByLabel('As of (UTC)').fill(before);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('heading', { level: 2, name: `Timeline as of ${before}Z` }).waitFor();
    await own.waitFor({ state: 'detached' });
    await page.getByText('No entries with these filters.').waitFor();
    await page.getByRole('img', { name: 'Timeline of San Jose city: no entries.' }).waitFor();
    expect(new URL(page.url()).searchParams.get('kind')).toBe('public_statement');
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await table.getByRole('row', { name: /County of Santa Clara v\. Trump/ }).waitFor();
  });

  it('fits a 390 px phone: the directory and the timeline', async () => {
    const phone = await browser.newPage(390);
    await signIn(phone, base(), curator, '/console/jurisdictions?q=santa');
    await phone.getByRole('link', { name: 'Santa Clara County, CA', exact: true }).waitFor();
    await expectNoOverflow(phone);
    await expectAccessible(phone);

    await phone.goto(`${base()}/console/jurisdictions/${enc(J.sanJose)}`);
    await phone.getByRole('region', { name: 'Timeline entries table' }).getByRole('row', { name: /San Jose council reaffirms/ }).waitFor();
    await phone.getByRole('img', { name: /^Timeline of San Jose city: 2 entries/ }).waitFor();
    await expectNoOverflow(phone);
    await expectAccessible(phone);
    // Scrolled down to the timeline, past the facts and the filters.
    await phone.getByRole('heading', { level: 2, name: 'Timeline' }).evaluate((h) => h.scrollIntoView());
    await screenshot(phone, 'jurisdiction-timeline-390');
    await phone.context().close();
  });

  it('left no unexpected error in the browser console', () => {
    // 400: the parked item dismissed without a reason; 409: the unreadable parked item retried.
    expect(unexpectedErrors(browser.errors, [400, 409])).toEqual([]);
  });
});

describe('a correction a source suggests', () => {
  it('shows on the action page, word by word, and is accepted there', async () => {
    const id = 'federal-register:2017-02095';
    const action = async () => (await api().get(`/api/v1/actions/${enc(id)}`)).body;
    const proposed = await action();
    const published = await api().post(`/api/v1/actions/${enc(id)}/publication`, undefined, { headers: { 'if-match': `"${proposed.version}"` } });
    expect(published.status).toBe(200);

    // The Federal Register corrects the title; the next run suggests it (the action is published).
    served = { ...WITH_MALFORMED, results: WITH_MALFORMED.results.map((d: Record<string, unknown>) => (d.document_number === '2017-02095' ? { ...d, title: `${d.title} (corrected)` } : d)) };
    const run = await api().post('/api/v1/ingestion/sources/federal-register/runs', { since: '2017-01-20' }, { key: curator });
    expect(run.status).toBe(202);
    const deadline = Date.now() + 15_000;
    while (!(await action()).suggestion) {
      if (Date.now() > deadline) throw new Error('no suggestion after the run');
      await new Promise((r) => setTimeout(r, 100));
    }

    const errorsBefore = browser.errors.length;
    const page = await browser.newPage();
    await signIn(page, base(), curator, `/console/actions/${enc(id)}`);
    const panel = page.getByRole('region', { name: 'Suggested correction from ingestion' });
    // The Title row's cell: another row of the table says 'corrected' too.
    const titleRow = panel.getByRole('table', { name: 'What the source now says' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Title', exact: true }) });
    await titleRow.getByRole('cell').locator('ins').filter({ hasText: 'corrected' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'action-suggestion');
    await panel.getByRole('button', { name: 'Accept suggestion' }).click();
    await panel.waitFor({ state: 'detached' });
    expect(await action()).toMatchObject({ title: expect.stringMatching(/\(corrected\)$/), suggestion: null });
    await page.getByRole('region', { name: 'History' }).getByText('SuggestedCorrectionAccepted').first().waitFor();
    expect(unexpectedErrors(browser.errors.slice(errorsBefore))).toEqual([]);
    await page.context().close();
  });
});
