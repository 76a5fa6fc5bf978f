import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { parseConfig, type AppConfig } from '@app/config';
import { createTestDatabase, type TestDatabase } from '@app/db/testing';
import { SOURCE, actionContent } from '@app/policy/testing';
import { createApiApp } from '../../apps/api/src/app';
import { checkReplyAgainstContract } from './openapi-check';

// Black-box harness for the HTTP API: the real Nest application on a fresh, migrated Postgres
// database of its own, driven through Fastify's inject (no port, no network). Every request
// goes through the same routing, guards, pipes and exception filter as in production, and
// every reply is checked against docs/openapi.json (its status, content type and body).

export const ADMIN_KEY = 'e2e-admin-key-0123456789abcdef';

/** A small jurisdiction tree, enough to see inheritance at every level. */
export const J = {
  us: 'ocd-division/country:us',
  ca: 'ocd-division/country:us/state:ca',
  ny: 'ocd-division/country:us/state:ny',
  santaClara: 'ocd-division/country:us/state:ca/county:santa_clara',
  alameda: 'ocd-division/country:us/state:ca/county:alameda',
  // OCD places sit under the state by path; San José and Oakland are registered with their
  // county as explicit parent so a county's actions reach them.
  sanJose: 'ocd-division/country:us/state:ca/place:san_jose',
  oakland: 'ocd-division/country:us/state:ca/place:oakland',
  // A place left under its state (the path parent).
  sacramento: 'ocd-division/country:us/state:ca/place:sacramento',
  newYork: 'ocd-division/country:us/state:ny/place:new_york',
} as const;

export const TREE: { id: string; name: string; level: string; parentId?: string }[] = [
  { id: J.us, name: 'United States', level: 'federal' },
  { id: J.ca, name: 'California', level: 'state' },
  { id: J.ny, name: 'New York', level: 'state' },
  { id: J.santaClara, name: 'Santa Clara County', level: 'county' },
  { id: J.alameda, name: 'Alameda County', level: 'county' },
  { id: J.sanJose, name: 'San Jose city', level: 'municipal', parentId: J.santaClara },
  { id: J.oakland, name: 'Oakland city', level: 'municipal', parentId: J.alameda },
  { id: J.sacramento, name: 'Sacramento city', level: 'municipal' },
  { id: J.newYork, name: 'New York city', level: 'municipal' },
];

/** `ocd-division/country:us` → `ocd-division%2Fcountry%3Aus`, as a path segment. */
export const enc = (id: string) => encodeURIComponent(id);

/** The If-Match header of a change to an action at this version. */
export const ifMatch = (version: number | string) => ({ headers: { 'if-match': `"${version}"` } });

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** Raw body text. */
  text: string;
  /** Parsed JSON body (undefined when the body is not JSON). */
  body: any;
}

export interface RequestOptions {
  /** Bearer key; `null` sends no Authorization header. Default: the admin key for writes, none for reads. */
  key?: string | null;
  headers?: Record<string, string>;
  /** A raw payload (string or Buffer), sent as is with content-type application/json unless given. */
  raw?: string | Buffer;
}

export interface ApiHarness {
  app: NestFastifyApplication;
  db: Kysely<any>;
  database: TestDatabase<any>;
  config: AppConfig;
  request(method: string, url: string, body?: unknown, options?: RequestOptions): Promise<Reply>;
  get(url: string, options?: RequestOptions): Promise<Reply>;
  post(url: string, body?: unknown, options?: RequestOptions): Promise<Reply>;
  patch(url: string, body?: unknown, options?: RequestOptions): Promise<Reply>;
  /** Rows in the events table: what a rejected request must leave unchanged. */
  eventCount(): Promise<number>;
  /** Registers TREE (parents first) through the API. */
  registerTree(): Promise<void>;
  /** POST /api/v1/actions with sensible defaults; throws unless 201. */
  createAction(overrides?: Partial<ActionBody>, options?: RequestOptions): Promise<{ id: string; version: number; position: number }>;
  close(): Promise<void>;
}

export interface ActionBody {
  id?: string;
  kind: string;
  title: string;
  summary: string;
  occurredOn: { date: string; precision: 'day' | 'month' | 'year' };
  actingJurisdictionId: string;
  affectedJurisdictionIds: string[];
  sources?: unknown[];
  tags?: string[];
  relations?: { relation: string; targetId: string }[];
  proposal?: { sourceSystem: string; externalId: string; places?: unknown };
  [key: string]: unknown;
}

export { SOURCE };

/** A valid action body (the medium tier's valid content, as JSON); override what the test is about. */
export function actionBody(overrides: Partial<ActionBody> = {}): ActionBody {
  return { ...(actionContent() as ActionBody), ...overrides };
}

/**
 * Starts the API on a fresh test database. `env` adds or overrides configuration
 * (e.g. API_READ_REQUIRES_KEY); the database URL, silent logging and the admin key are set here.
 */
export async function startApi(env: Record<string, string> = {}): Promise<ApiHarness> {
  const database = await createTestDatabase({ poolSize: 10 });
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    API_ADMIN_KEY: ADMIN_KEY,
    // Unthrottled unless a test is about the limits: suites send thousands of requests from one address.
    RATE_LIMIT_READS_PER_MINUTE: '0',
    RATE_LIMIT_WRITES_PER_MINUTE: '0',
    ...env,
  });
  let app: NestFastifyApplication;
  try {
    app = await createApiApp({ config, db: database.db, databaseUrl: database.url });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  } catch (err) {
    await database.drop();
    throw err;
  }
  const fastify = app.getHttpAdapter().getInstance();

  const request = async (method: string, url: string, body?: unknown, options: RequestOptions = {}): Promise<Reply> => {
    const isWrite = method !== 'GET' && method !== 'HEAD';
    const key = options.key === undefined ? (isWrite ? ADMIN_KEY : null) : options.key;
    const headers: Record<string, string> = {};
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let payload: string | Buffer | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, options.headers);
    const res = await fastify.inject({ method: method as any, url, headers, payload });
    checkReplyAgainstContract(method, url, { status: res.statusCode, headers: res.headers, text: res.body });
    let parsed: unknown;
    try {
      parsed = res.body === '' ? undefined : JSON.parse(res.body);
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode, headers: res.headers as Reply['headers'], text: res.body, body: parsed };
  };

  const harness: ApiHarness = {
    app,
    db: database.db,
    database,
    config,
    request,
    get: (url, options) => request('GET', url, undefined, options),
    post: (url, body, options) => request('POST', url, body, options),
    patch: (url, body, options) => request('PATCH', url, body, options),
    async eventCount() {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(database.db);
      return rows[0].n;
    },
    async registerTree() {
      for (const j of TREE) {
        const res = await request('POST', '/api/v1/jurisdictions', j);
        if (res.status !== 201) throw new Error(`registering ${j.id}: ${res.status} ${res.text}`);
      }
    },
    async createAction(overrides = {}, options = {}) {
      const res = await request('POST', '/api/v1/actions', actionBody(overrides), options);
      if (res.status !== 201) throw new Error(`creating an action: ${res.status} ${res.text}`);
      return res.body;
    },
    async close() {
      try {
        await app.close();
      } finally {
        await database.drop();
      }
    },
  };
  return harness;
}

/**
 * Expects an RFC 9457 problem+json reply with this status and code; returns the problem.
 * Every problem has type, title, status, detail, code and errors[{path, message}].
 */
export function expectProblem(res: Reply, status: number, code: string, errorPaths?: string[]): any {
  const context = `${res.status} ${res.text}`;
  expect({ status: res.status, code: res.body?.code, context }).toEqual({ status, code, context });
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const p = res.body;
  expect(p).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^https?:\/\//),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code,
      errors: expect.any(Array),
    }),
  );
  for (const e of p.errors) expect(e).toEqual({ path: expect.any(String), message: expect.any(String) });
  if (errorPaths) expect(p.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(errorPaths));
  return p;
}

/**
 * The events feed, once it shows every committed event. The feed is gap-safe: it holds back
 * events of transactions newer than the oldest one still running anywhere on the Postgres
 * server (xids are cluster-wide), so while another database's transaction is open — another
 * test file's CREATE DATABASE, a benchmark — it may briefly trail the table.
 */
export async function caughtUpFeed(api: ApiHarness, timeoutMs = 10_000): Promise<any[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const total = await api.eventCount();
    const items: any[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await api.get(`/api/v1/events?limit=1000${after ? `&after=${after}` : ''}`);
      if (page.status !== 200) throw new Error(`events feed: ${page.status} ${page.text}`);
      items.push(...page.body.items);
      after = page.body.nextCursor;
      if (page.body.items.length < 1000) break;
    }
    if (items.length >= total) return items;
    if (Date.now() > deadline) throw new Error(`events feed shows ${items.length} of ${total} events after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * Runs a request that must be refused, and checks it left the ledger as it was: the events
 * table holds the same rows, and the events feed shows nothing past what was there before.
 * (The feed is not awaited to catch up, see caughtUpFeed: anything it could show is in the
 * table, which is checked exactly.)
 */
export async function expectNothingAppended(api: ApiHarness, run: () => Promise<unknown>): Promise<void> {
  const before = await ledgerHead(api);
  await run();
  expect(await ledgerHead(api)).toEqual(before);
  const feed = await api.get(`/api/v1/events?limit=1000`);
  expect(feed.status).toBe(200);
  expect(feed.body.items.filter((e: { position: number }) => e.position > before.maxPosition)).toEqual([]);
}

async function ledgerHead(api: ApiHarness): Promise<{ count: number; maxPosition: number }> {
  const { rows } = await sql<{ count: number; max: number | null }>`
    SELECT count(*)::int AS count, max(position) AS max FROM events`.execute(api.db);
  return { count: rows[0].count, maxPosition: Number(rows[0].max ?? 0) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
