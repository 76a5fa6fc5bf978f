import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './compiled-apps';
import { sleep, startApi, type ApiHarness } from './api-harness';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';

// The console's browser tests: Debian's Chromium driven by playwright-core (nothing can
// download a browser here), against the real API listening on a port, on real Postgres.

/**
 * Where the screenshots go: dist/screenshots on every run (a run leaves the working tree as it
 * was), docs/screenshots — the README's pictures — with UPDATE_SCREENSHOTS=1.
 */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : join(ROOT, 'dist', 'screenshots');

/**
 * The console built once per Jest run into a folder of the run's own (Vite, the same build as
 * `npm run build:console`), so a concurrent `npm start` never rewrites what a test serves. The
 * first test file to ask builds it, into a temporary folder renamed into place when complete;
 * the others wait for it. No test file ever serves a half-written folder.
 */
export async function builtConsole(): Promise<string> {
  const template = process.env.PL_TEST_TEMPLATE;
  if (!template) throw new Error('PL_TEST_TEMPLATE is not set: run the browser tests through Jest (npm test), whose global setup sets it');
  const dir = join(ROOT, 'dist', `.console-${template}`);
  const index = join(dir, 'index.html');
  const lock = `${dir}.lock`;
  if (existsSync(index)) return dir;
  mkdirSync(dirname(lock), { recursive: true }); // a fresh clone has no dist/ yet
  let mine = false;
  try {
    mkdirSync(lock);
    mine = true;
  } catch (err) {
    // EEXIST: another test file is building it; anything else is a real failure.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (mine) {
    const tmp = `${dir}.tmp-${process.pid}`;
    try {
      // Another test file may have finished the build between the look above and the lock.
      if (existsSync(index)) return dir;
      await promisify(execFile)('npx', ['vite', 'build', '--config', 'apps/console/vite.config.mts', '--outDir', tmp, '--emptyOutDir', '--logLevel', 'error'], {
        cwd: ROOT,
        timeout: 180_000,
      });
      if (!existsSync(join(tmp, 'index.html'))) throw new Error(`the console build wrote no index.html to ${tmp}`);
      // Nobody serves `dir` without its index.html, so whatever is left of it can go.
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(lock, { recursive: true, force: true });
    }
    return dir;
  }
  const deadline = Date.now() + 180_000;
  while (!existsSync(index)) {
    if (!existsSync(lock) && !existsSync(index)) throw new Error('the console build failed in another test file');
    if (Date.now() > deadline) throw new Error('the console build did not finish in 3 minutes');
    await sleep(200);
  }
  return dir;
}

export interface ConsoleServer {
  api: ApiHarness;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/** The API (and so the console at /console) on a free port, on a fresh test database. */
export async function startConsoleServer(env: Record<string, string> = {}): Promise<ConsoleServer> {
  const dir = await builtConsole();
  const api = await startApi({ ...env, CONSOLE_DIR: dir });
  try {
    await api.app.listen({ port: 0, host: '127.0.0.1' });
  } catch (err) {
    await api.close().catch(() => undefined);
    throw err;
  }
  const address = api.app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { api, origin: `http://127.0.0.1:${port}`, close: () => api.close() };
}

export interface BrowserSession {
  browser: Browser;
  /** A new tab (its own context: its own sessionStorage, as another person's browser). */
  newPage(width?: number): Promise<Page>;
  /** What the pages wrote to their consoles as errors, and uncaught exceptions. */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  const errors: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    browser,
    errors,
    async newPage(width = 1280) {
      const context = await browser.newContext({ viewport: { width, height: width > 800 ? 900 : 844 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/**
 * Browser console errors other than the network lines Chromium writes for answers a test
 * provoked on purpose (a 409 conflict, a 400 with its problem shown at the field).
 */
export function unexpectedErrors(errors: string[], expectedStatuses: number[] = []): string[] {
  return errors.filter((e) => !expectedStatuses.some((s) => e.includes(`status of ${s}`)));
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, origin: string, key: string, path = '/console/'): Promise<void> {
  await page.goto(`${origin}${path}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** axe-core's serious and critical violations on the page as it is now (none is the bar). */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact ?? '', nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

/** No serious or critical axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

/** The page itself never scrolls sideways at its width (wide tables scroll in their own box). */
export async function expectNoOverflow(page: Page): Promise<void> {
  expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
}

/** A picture of the page, `<SCREENSHOTS>/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}
