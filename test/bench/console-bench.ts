/**
 * Console benchmark: how soon each page of the curator console is interactive in Chromium,
 * on localhost, against the million-event ledger of bench:api.
 *
 *   npm run bench:console -- [--reuse DBNAME] [--events N] [--keep-db] [--runs 5] [--json FILE]
 *
 * 1. the ledger: `--reuse` a database kept by `npm run bench:api -- --keep-db`, or else
 *    bench:api is run to load one (`--only load`), the same seeded million events;
 * 2. the API (with the built console at /console) in a process of its own;
 * 3. for each page, Debian's Chromium opens it `--runs` times (the first in a new browser
 *    context: nothing cached) and records `performance.now()` when the page's content is on
 *    screen and its controls are live: the time from navigation start to interactive;
 * 4. the baseline, measured in the same run: the same API requests the page makes, sent from
 *    Node with fetch (in parallel, as the page sends them). The ratio is the price of the
 *    browser, the bundle and React over the data itself.
 *
 * See docs/benchmarks-console.md.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium';
import { admin, formatTable, withDatabase } from './common';

const ROOT = join(__dirname, '..', '..', '..');
const CONSOLE = join(ROOT, 'dist', 'console');
const ADMIN_KEY = `bench-admin-${randomUUID()}`;
const TARGET_MS = 1500;
const log = (msg: string) => process.stdout.write(`${msg}\n`);

interface Options {
  reuse?: string;
  keepDb: boolean;
  events: number;
  runs: number;
  json?: string;
  serverUrl: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { keepDb: false, events: 1_000_000, runs: 5, serverUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i] ?? (console.error(`${flag} needs a value`), process.exit(2));
    if (flag === '--reuse') opts.reuse = value();
    else if (flag === '--keep-db') opts.keepDb = true;
    else if (flag === '--events') opts.events = Number(value());
    else if (flag === '--runs') opts.runs = Number(value());
    else if (flag === '--json') opts.json = value();
    else {
      console.error('usage: console-bench [--reuse DBNAME] [--events N] [--keep-db] [--runs 5] [--json FILE]');
      process.exit(2);
    }
  }
  return opts;
}

/**
 * Loads the ledger with bench:api itself (`--only load --keep-db`): one loader, one dataset.
 * The database's name is known from the start, so it can be dropped even if the load fails.
 */
function loadLedger(events: number): { dbName: string; loaded: Promise<void> } {
  const child = fork(join(__dirname, 'api-bench.js'), ['--only', 'load', '--keep-db', '--events', String(events)], { stdio: 'inherit' });
  const loaded = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bench:api load exited with ${code}`))));
  });
  return { dbName: `pl_benchapi_${child.pid}`, loaded };
}

/** The API in a process of its own; stopped again if it does not come up. */
async function startApi(url: string): Promise<{ port: number; close(): Promise<void> }> {
  const child: ChildProcess = fork(join(__dirname, 'api', 'server.js'), [], {
    env: { ...process.env, BENCH_DATABASE_URL: url, BENCH_API_ADMIN_KEY: ADMIN_KEY },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const running = () => child.exitCode === null && child.signalCode === null;
  try {
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      child.once('message', (m: { type?: string; port: number }) => (m?.type === 'ready' ? resolve(m) : reject(new Error(JSON.stringify(m)))));
      child.once('error', reject);
      void exited.then((code) => reject(new Error(`API exited with ${code}`)));
    });
    return {
      port,
      close: async () => {
        if (running()) child.send({ type: 'close' });
        await exited;
      },
    };
  } catch (err) {
    if (running()) child.kill();
    await exited;
    throw err;
  }
}

interface PageCase {
  name: string;
  path: string;
  /** The page is interactive once this holds (its data on screen, React's handlers attached). */
  ready: string;
  /** What the page asks the API for before it can show that: the baseline. */
  requests: string[];
}

/** Pages measured, with ids taken from the loaded ledger. */
async function pageCases(origin: string): Promise<PageCase[]> {
  const get = async (path: string): Promise<any> => (await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json();
  const queue = await get('/api/v1/actions?status=proposed&limit=50');
  const proposal = queue.items[0].id as string;
  const state = 'ocd-division/country:us/state:ca';
  const place = (await get('/api/v1/jurisdictions?q=springfield&limit=1')).items[0]?.id ?? state;
  const enc = encodeURIComponent;
  return [
    {
      name: 'review queue',
      path: '/console/',
      ready: '.queue-detail h2 a',
      requests: ['/api/v1/actions?status=proposed&limit=50', '/api/v1/ingestion/sources', `/api/v1/actions/${proposal}/duplicates`],
    },
    {
      name: 'action page',
      path: `/console/actions/${proposal}`,
      ready: '.history li',
      requests: [`/api/v1/actions/${proposal}`, `/api/v1/actions/${proposal}/history`],
    },
    {
      name: 'directory search',
      path: '/console/jurisdictions?q=springfield',
      ready: '.directory-list li a',
      requests: ['/api/v1/jurisdictions?q=springfield&limit=50'],
    },
    {
      name: 'jurisdiction (state)',
      path: `/console/jurisdictions/${enc(state)}`,
      ready: 'img.timeline-picture[src^="blob:"], .timeline-table tbody tr',
      requests: [`/api/v1/jurisdictions/${enc(state)}`, `/api/v1/jurisdictions/${enc(state)}/timeline?limit=50`, `/api/v1/jurisdictions/${enc(state)}/timeline?limit=50&format=svg`],
    },
    {
      name: 'jurisdiction (place)',
      path: `/console/jurisdictions/${enc(place)}`,
      ready: 'img.timeline-picture[src^="blob:"], .timeline-table tbody tr',
      requests: [`/api/v1/jurisdictions/${enc(place)}`, `/api/v1/jurisdictions/${enc(place)}/timeline?limit=50`, `/api/v1/jurisdictions/${enc(place)}/timeline?limit=50&format=svg`],
    },
    {
      name: 'ingestion',
      path: '/console/ingestion',
      ready: '.sources-table tbody tr',
      requests: ['/api/v1/ingestion/sources', '/api/v1/ingestion/runs?limit=50', '/api/v1/ingestion/parked?status=parked&limit=50'],
    },
  ];
}

/** With BENCH_TRACE only: the page's long tasks, for the trace (measured loads carry one observer). */
const LONG_TASKS = `window.__long = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push([e.startTime | 0, e.duration | 0]))).observe({ type: 'longtask', buffered: true });`;

/**
 * Runs in the page from its first instant (an init script): a MutationObserver notes
 * `performance.now()` (milliseconds since navigation start) the first time every selector of
 * `ready` matches. Measured in the page itself, so a test driver's polling adds nothing.
 */
const readyProbe = (ready: string) => `
  (() => {
    const selectors = ${JSON.stringify(ready.split(',').map((s) => s.trim()))};
    const check = () => {
      if (window.__readyAt || !selectors.every((s) => document.querySelector(s))) return;
      window.__readyAt = performance.now();
      observer.disconnect();
    };
    ${process.env.BENCH_TRACE ? LONG_TASKS : ''}
    const observer = new MutationObserver(check);
    observer.observe(document, { subtree: true, childList: true, attributes: true });
  })();`;

/** Milliseconds from navigation start until the page is interactive (see readyProbe). */
async function timeToInteractive(page: Page, origin: string, c: PageCase): Promise<number> {
  await page.goto(`${origin}${c.path}`, { waitUntil: 'commit' });
  const handle = await page.waitForFunction('window.__readyAt', undefined, { timeout: 30_000 });
  if (process.env.BENCH_TRACE) {
    const trace = await page.evaluate(`JSON.stringify([performance.getEntriesByType('navigation').map((e) => [e.responseEnd | 0, e.domContentLoadedEventEnd | 0]), performance.getEntriesByType('resource').map((e) => [e.name.replace(location.origin, '').slice(0, 50), e.startTime | 0, e.responseEnd | 0]), window.__long, window.__readyAt | 0])`);
    log(`    ${c.name}: ${trace}`);
  }
  return Number(await handle.jsonValue());
}

async function baseline(origin: string, c: PageCase): Promise<number> {
  const t = performance.now();
  await Promise.all(
    c.requests.map(async (path) => {
      const res = await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      await res.arrayBuffer();
    }),
  );
  return performance.now() - t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => ms.toFixed(0);

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const bundle = readdirSync(join(CONSOLE, 'assets')).filter((f) => f.endsWith('.js'));
  const gz = bundle.reduce((sum, f) => sum + gzipSync(readFileSync(join(CONSOLE, 'assets', f)), { level: 9 }).length, 0);
  log(`console bundle: ${bundle.length} script(s), ${(gz / 1024).toFixed(1)} KB gzipped (budget 250 KB)`);

  // Nothing is created before the try: the ledger, the API and the browser are each cleaned up
  // in the finally, whichever of them came up.
  let dbName = opts.reuse;
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  let browser: Browser | undefined;
  const rows: { page: string; cold: number; median: number; max: number; api: number; ratio: number }[] = [];
  try {
    if (!dbName) {
      const load = loadLedger(opts.events);
      dbName = load.dbName;
      await load.loaded;
    }
    const url = withDatabase(opts.serverUrl, dbName);
    api = await startApi(url);
    const origin = `http://127.0.0.1:${api.port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
    const { rows: counts } = await admin(url, (c) => c.query<{ n: string }>('SELECT count(*) AS n FROM events'));
    log(`ledger ${dbName}: ${Number(counts[0].n).toLocaleString('en-US')} events; API on ${origin}; ${opts.runs} loads per page`);
    for (const c of await pageCases(origin)) {
      // A new context: an empty cache for the first load, as a curator's first visit.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      // Signed in as the console keeps it (this tab's sessionStorage), so every load is the page alone.
      const session = JSON.stringify({ key: ADMIN_KEY, role: 'admin', name: 'bench' });
      await context.addInitScript(`sessionStorage.setItem('policy-ledger.session', ${JSON.stringify(session)})`);
      await context.addInitScript(readyProbe(c.ready));
      const page = await context.newPage();
      const times: number[] = [];
      const apiTimes: number[] = [];
      for (let i = 0; i < opts.runs; i++) {
        times.push(await timeToInteractive(page, origin, c));
        apiTimes.push(await baseline(origin, c));
      }
      await context.close();
      const warm = times.slice(1);
      const row = { page: c.name, cold: times[0], median: median(warm.length ? warm : times), max: Math.max(...times), api: median(apiTimes), ratio: 0 };
      row.ratio = row.median / row.api;
      rows.push(row);
      log(`  ${c.name}: first ${fmt(row.cold)} ms, then median ${fmt(row.median)} ms (max ${fmt(row.max)}); its API requests alone ${fmt(row.api)} ms`);
    }
  } finally {
    await browser?.close().catch((err) => console.error('closing Chromium:', err));
    await api?.close().catch((err) => console.error('stopping the API:', err));
    if (dbName) {
      if (!opts.reuse && !opts.keepDb) await admin(opts.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
      else log(`kept ${dbName}`);
    }
  }
  const header = ['page', 'first load ms', 'median ms', 'max ms', 'API alone ms', 'ratio', `≤ ${TARGET_MS} ms`];
  const lines = rows.map((r) => [r.page, fmt(r.cold), fmt(r.median), fmt(r.max), fmt(r.api), r.ratio.toFixed(1), r.max <= TARGET_MS ? 'yes' : 'NO']);
  log(`\n${formatTable([header, ...lines], (i) => i === 0)}`);
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ bundleGzipBytes: gz, pages: rows }, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
