import { openBrowser, startConsoleServer, unexpectedErrors, type BrowserSession, type ConsoleServer } from '../support/browser';

// The content security policy (abuse-limits.ts) in a real browser: the console's own pages
// are covered by its other tests; here, the API docs page, which gets a policy of its own.

jest.setTimeout(60_000);

let server: ConsoleServer;
let session: BrowserSession;

beforeAll(async () => {
  server = await startConsoleServer();
  session = await openBrowser();
}, 120_000);

afterAll(async () => {
  await session?.close();
  await server?.close();
});

it('shows the API docs (Swagger UI) under its policy, with no policy refused in the console', async () => {
  const page = await session.newPage();
  const violations: string[] = [];
  await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
  // Chromium also logs a refusal as a console error; the event names what was refused.
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI))",
  );
  const res = await page.goto(`${server.origin}/api/docs`);
  expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
  await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
  expect(await page.locator('.opblock').count()).toBeGreaterThan(10);
  expect(violations).toEqual([]);
  expect(unexpectedErrors(session.errors)).toEqual([]);
});

it('serves the console page itself under the strict policy', async () => {
  const page = await session.newPage();
  const res = await page.goto(`${server.origin}/console/`);
  const csp = String(res?.headers()['content-security-policy']);
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self';");
  await page.locator('#root *').first().waitFor({ timeout: 20_000 });
  expect(unexpectedErrors(session.errors)).toEqual([]);
});
