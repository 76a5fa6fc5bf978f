import type { Page } from 'playwright-core';
import { createApiKey } from '@app/db';
import { J, ifMatch, sleep } from '../support/api-harness';
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

// The curator console in Debian's Chromium against the real API on real Postgres: sign in,
// triage the review queue from the keyboard, correct through an edit conflict, merge, link,
// retract, and see another curator's change arrive live. Elements are found by role and
// label, as a person finds them.

jest.setTimeout(60_000);

let server: ConsoleServer;
let browser: BrowserSession;
let alice: string;
let bob: string;
let analyst: string;

const base = () => server.origin;
const api = () => server.api;

beforeAll(async () => {
  server = await startConsoleServer();
  await api().registerTree();
  alice = (await createApiKey(api().db, { role: 'curator', name: 'Alice (curator)' })).key;
  bob = (await createApiKey(api().db, { role: 'curator', name: 'Bob (curator)' })).key;
  analyst = (await createApiKey(api().db, { role: 'analyst', name: 'Ana (analyst)' })).key;
  browser = await openBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

let n = 0;
/** A proposal as ingestion would make it, with the places read in it. */
async function propose(overrides: Record<string, unknown> = {}) {
  n += 1;
  return api().createAction({
    kind: 'public_statement',
    title: `Oakland mayor restates sanctuary policy ${n}`,
    summary: 'The mayor of Oakland said the city will keep its sanctuary policy whatever the grant conditions.',
    occurredOn: { date: '2017-03-28', precision: 'day' },
    actingJurisdictionId: J.oakland,
    affectedJurisdictionIds: [J.oakland],
    sources: [{ url: `https://www.oaklandca.gov/news/${n}`, publisher: 'City of Oakland', title: 'Mayor statement' }],
    proposal: {
      sourceSystem: 'feed:oakland-mayor',
      externalId: `oakland-${n}`,
      places: {
        matched: [{ jurisdictionId: J.oakland, evidence: 'Oakland' }],
        ambiguous: [{ evidence: 'San Jose', candidates: [J.sanJose, 'ocd-division/country:us/state:ca/place:san_jose_two'] }],
        unmatched: [],
      },
    },
    ...overrides,
  });
}

const action = async (id: string) => (await api().get(`/api/v1/actions/${id}`)).body;

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await sleep(100);
  }
}

describe('sign in', () => {
  it('shows the role; an analyst key reads only', async () => {
    const page = await browser.newPage();
    await page.goto(`${base()}/console/`);
    await expectAccessible(page);
    await screenshot(page, 'sign-in');
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/not valid/);

    await signIn(page, base(), analyst);
    await expect(page.locator('.who').textContent()).resolves.toMatch(/Ana \(analyst\).*analyst.*read-only/);
    await propose();
    await page.reload();
    await page.getByRole('heading', { name: /Oakland mayor restates/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Publish', exact: true }).count()).toBe(0);
    await page.getByText('Your key reads only').waitFor();
    await page.context().close();
  });
});

describe('the review queue', () => {
  let page: Page;
  beforeAll(async () => {
    page = await browser.newPage();
    await signIn(page, base(), alice);
  });
  afterAll(() => page.context().close());

  it('publishes with p and rejects with r and a reason, from the keyboard', async () => {
    const first = await propose({ title: 'Oakland council affirms sanctuary resolution' });
    const second = await propose({ title: 'Oakland police chief on ICE cooperation' });
    await page.goto(`${base()}/console/?source=feed:oakland-mayor`);
    // Newest first: the second proposal is current.
    await page.getByRole('heading', { name: 'Oakland police chief on ICE cooperation' }).waitFor();
    await page.getByText('matched “Oakland”').first().waitFor();
    await page.getByText('“San Jose” could be').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'review-queue');

    await page.keyboard.press('p');
    await waitFor(() => action(second.id), (a) => a.status === 'published', 'published with p');
    await page.getByRole('status').filter({ hasText: 'Published 1' }).waitFor();

    // As in a mail client, the next proposal down becomes current; j and k move.
    const current = (title: string) => page.getByRole('heading', { level: 2, name: title }).waitFor();
    await current('Oakland council affirms sanctuary resolution');
    await page.keyboard.press('j');
    await current('Oakland mayor restates sanctuary policy 1');
    await page.keyboard.press('k');
    await current('Oakland council affirms sanctuary resolution');
    await page.keyboard.press('r');
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('A restatement, not a new policy action');
    await dialog.getByRole('button', { name: 'Reject' }).click();
    await waitFor(() => action(first.id), (a) => a.status === 'rejected', 'rejected with r');
    expect((await action(first.id)).statusReason).toBe('A restatement, not a new policy action');
  });

  it('selects several and publishes them at once; ? shows the keys', async () => {
    const a = await propose({ title: 'Bulk one' });
    const b = await propose({ title: 'Bulk two' });
    await page.goto(`${base()}/console/?source=feed:oakland-mayor`);
    await page.getByRole('checkbox', { name: 'Select “Bulk one”' }).check();
    await page.getByRole('checkbox', { name: 'Select “Bulk two”' }).check();
    await page.getByRole('button', { name: 'Publish 2 selected' }).click();
    await waitFor(async () => [(await action(a.id)).status, (await action(b.id)).status], (s) => s.every((x) => x === 'published'), 'bulk publish');

    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await expectAccessible(page);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
  });

  it('fits a 390 px phone', async () => {
    await propose({ title: 'Small screen proposal' });
    const phone = await browser.newPage(390);
    await signIn(phone, base(), alice, '/console/?source=feed:oakland-mayor');
    await phone.getByRole('heading', { name: 'Small screen proposal' }).waitFor();
    await expectNoOverflow(phone);
    await expectAccessible(phone);
    await screenshot(phone, 'review-queue-390');
    await phone.context().close();
  });
});

describe('an action', () => {
  let page: Page;
  beforeAll(async () => {
    page = await browser.newPage();
    await signIn(page, base(), alice);
  });
  afterAll(() => page.context().close());

  it('shows the API’s validation at the field and appends nothing', async () => {
    const made = await api().createAction({ title: 'Santa Clara County sues over the executive order' });
    await page.goto(`${base()}/console/actions/${made.id}`);
    const title = page.getByLabel('Title', { exact: true });
    await title.fill('');
    await page.getByLabel('Reason for the correction').fill('tidy');
    const before = await api().eventCount();
    await page.getByRole('button', { name: 'Save correction' }).click();
    const invalid = page.locator('.field--invalid').filter({ has: title });
    await invalid.locator('.field-errors').filter({ hasText: 'is required' }).waitFor();
    await expect(title.getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await api().eventCount()).toBe(before);
  });

  it('resolves an ambiguous place name, then saves and publishes (e from the queue)', async () => {
    const made = await propose({ title: 'San Jose and Oakland mayors write to the Attorney General' });
    await page.goto(`${base()}/console/?source=feed:oakland-mayor`);
    await page.getByRole('heading', { level: 2, name: 'San Jose and Oakland mayors write to the Attorney General' }).waitFor();
    await page.keyboard.press('e');
    await page.getByRole('button', { name: 'Add San Jose, CA' }).click();
    await page.getByLabel('Reason for the correction').fill('San Jose, California, as the letter says');
    await page.getByRole('button', { name: 'Save and publish' }).click();
    const done = await waitFor(() => action(made.id), (a) => a.status === 'published', 'saved and published');
    expect(done.affectedJurisdictionIds).toEqual([J.oakland, J.sanJose]);
  });

  it('meets an edit conflict, shows what the other curator changed, and reapplies the edit on top', async () => {
    const made = await api().createAction({ title: 'San Francisco sues over sanctuary order', summary: 'The city filed suit.' });
    await page.goto(`${base()}/console/actions/${made.id}`);
    await page.getByLabel('Title', { exact: true }).fill('San Francisco v. Trump filed');
    await page.getByLabel('Reason for the correction').fill('the case name');

    // Bob saves first, changing the title too (and the summary).
    const theirs = await api().patch(
      `/api/v1/actions/${made.id}`,
      {
        changes: { title: 'City and County of San Francisco v. Trump', summary: 'The city and county filed suit in the Northern District of California.' },
        reason: 'more precise',
      },
      { key: bob, ...ifMatch(1) },
    );
    expect(theirs.status).toBe(200);

    await page.getByRole('button', { name: 'Save correction' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'while you were editing' });
    await conflict.waitFor();
    await expect(conflict.getByRole('table', { name: 'What they changed' }).textContent()).resolves.toMatch(/Northern District/);
    await expect(conflict.getByRole('table', { name: 'Your edit' }).textContent()).resolves.toMatch(/v\. Trump/);
    expect((await action(made.id)).title).toBe('City and County of San Francisco v. Trump'); // Bob's, not overwritten
    await expectAccessible(page);
    await conflict.scrollIntoViewIfNeeded();
    await screenshot(page, 'action-conflict');

    await conflict.getByRole('button', { name: 'Reapply my edit on their version' }).click();
    // Both changed the title: Alice's is in the form, and she is told to check it.
    await page.getByText('You and they both changed: title').waitFor();
    await page.getByRole('button', { name: 'Save correction' }).click();
    const saved = await waitFor(() => action(made.id), (a) => a.version === 3, 'saved after reapplying');
    expect(saved).toMatchObject({ title: 'San Francisco v. Trump filed', summary: 'The city and county filed suit in the Northern District of California.' });

    // The history shows each change with its actor and reason, as a diff.
    const history = page.getByRole('region', { name: 'History' });
    await history.getByText('v3 ActionCorrected').waitFor();
    await expect(history.textContent()).resolves.toMatch(/v3 ActionCorrected by Alice \(curator\).*Reason: the case name/);
    await expect(history.textContent()).resolves.toMatch(/v2 ActionCorrected by Bob \(curator\)/);
    await expect(history.locator('ins').filter({ hasText: 'Trump' }).count()).resolves.toBeGreaterThan(0);
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'action-page');
  });

  it('saves an edit on top of a change to other fields made meanwhile, and says so', async () => {
    const made = await api().createAction({ title: 'Philadelphia sues over Byrne JAG conditions' });
    await page.goto(`${base()}/console/actions/${made.id}`);
    await page.getByLabel('Summary', { exact: true }).fill('The City of Philadelphia filed suit in the Eastern District of Pennsylvania.');
    await page.getByLabel('Reason for the correction').fill('the court');
    // Bob attaches a source meanwhile: version 2, a field this edit does not touch.
    const attached = await api().post(`/api/v1/actions/${made.id}/sources`, { source: { url: 'https://www.phila.gov/press/jag-suit', publisher: 'City of Philadelphia' } }, { key: bob });
    expect(attached.status).toBe(201);
    await page.getByRole('button', { name: 'Save correction' }).click();
    const saved = await waitFor(() => action(made.id), (a) => a.version === 3, 'saved on top of the source');
    expect(saved.summary).toMatch(/Eastern District/);
    expect(saved.sources.map((s: any) => s.url)).toContain('https://www.phila.gov/press/jag-suit');
    await page.getByRole('status').filter({ hasText: 'Saved on top of version 2' }).filter({ hasText: 'sources' }).waitFor();
    expect(await page.getByText('while you were editing').count()).toBe(0);
  });

  it('links to another action found by title, attaches a source and retracts with a reason', async () => {
    const order = await api().createAction({ kind: 'executive_order', title: 'Executive Order 13768 on interior enforcement' });
    const suit = await api().createAction({ kind: 'lawsuit_filing', title: 'Santa Clara County v. Trump' });
    await page.goto(`${base()}/console/actions/${suit.id}`);
    const links = page.getByRole('region', { name: 'Links' });
    await links.getByLabel('Relation').selectOption('challenges');
    await links.getByLabel('Find the other action by title').fill('interior enforcement');
    await links.getByRole('radio', { name: /Executive Order 13768/ }).check();
    await links.getByRole('button', { name: 'Add link' }).click();
    await waitFor(() => action(suit.id), (a) => a.relations.some((r: any) => r.targetId === order.id && r.relation === 'challenges'), 'linked');

    const sources = page.getByRole('region', { name: 'Sources' });
    await sources.getByLabel('Source URL').fill('https://www.courtlistener.com/docket/4610620/county-of-santa-clara-v-trump/');
    await sources.getByLabel('Publisher').fill('CourtListener');
    await sources.getByRole('button', { name: 'Attach source' }).click();
    await waitFor(() => action(suit.id), (a) => a.sources.some((s: any) => s.publisher === 'CourtListener'), 'source attached');
    // The page has read the action again: its retraction goes with the version that holds the source.
    await sources.getByRole('listitem').filter({ hasText: 'CourtListener' }).waitFor();

    await page.getByRole('button', { name: 'Retract…' }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('Filed under the wrong county');
    await page.getByRole('dialog').getByRole('button', { name: 'Retract' }).click();
    const retracted = await waitFor(() => action(suit.id), (a) => a.status === 'retracted', 'retracted');
    expect(retracted.statusReason).toBe('Filed under the wrong county');
  });

  it('merges a proposal into the published action it duplicates, offered among possible duplicates', async () => {
    const survivor = await api().createAction({
      kind: 'court_ruling',
      title: 'Judge blocks sanctuary city funding order',
      occurredOn: { date: '2017-04-25', precision: 'day' },
    });
    const duplicate = await propose({
      kind: 'court_ruling',
      title: 'Federal judge blocks sanctuary funding order',
      occurredOn: { date: '2017-04-26', precision: 'day' },
      sources: [{ url: 'https://www.oaklandca.gov/news/ruling', publisher: 'City of Oakland' }],
    });
    await page.goto(`${base()}/console/?source=feed:oakland-mayor`);
    await page.getByRole('heading', { name: 'Federal judge blocks sanctuary funding order' }).waitFor();
    const detail = page.getByRole('region', { name: 'Federal judge blocks sanctuary funding order' });
    await detail.getByRole('link', { name: 'Judge blocks sanctuary city funding order' }).waitFor();
    await page.keyboard.press('m');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('radio', { name: /Judge blocks sanctuary city funding order/ }).check();
    await dialog.getByLabel('Reason').fill('Same ruling, reported by the city');
    await dialog.getByRole('button', { name: 'Merge' }).click();
    const merged = await waitFor(() => action(duplicate.id), (a) => a.status === 'merged', 'merged');
    expect(merged.mergedInto).toBe(survivor.id);
    expect((await action(survivor.id)).sources.map((s: any) => s.url)).toContain('https://www.oaklandca.gov/news/ruling');
  });
});

describe('live', () => {
  it("shows another curator's change to the action in view at once", async () => {
    const made = await api().createAction({ title: 'Chicago sues over Byrne JAG conditions' });
    const page = await browser.newPage();
    await signIn(page, base(), alice, `/console/actions/${made.id}`);
    await page.getByText('Live', { exact: true }).waitFor();
    await page.getByRole('heading', { level: 1, name: 'Chicago sues over Byrne JAG conditions' }).waitFor();

    const res = await api().patch(`/api/v1/actions/${made.id}`, { changes: { title: 'City of Chicago v. Sessions' }, reason: 'case name' }, { key: bob, ...ifMatch(1) });
    expect(res.status).toBe(200);
    await page.getByRole('status').filter({ hasText: 'Another curator just changed this action' }).waitFor();
    await page.getByRole('heading', { level: 1, name: 'City of Chicago v. Sessions' }).waitFor();
    await page.context().close();
  });

  it('left no unexpected error in the browser console', () => {
    // 401: the bad key tried at sign-in; 400: the empty title; 409: the edit conflict.
    expect(unexpectedErrors(browser.errors, [400, 401, 409])).toEqual([]);
  });
});
