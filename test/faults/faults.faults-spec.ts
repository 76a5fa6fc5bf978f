import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { createDb } from '@app/db';
import { EventStore, storeDb, verifyLedger } from '@app/event-store';
import { BullmqIngestionQueue, redisConnection, sourceQueueName } from '@app/ingestion';
import { generateDocuments, startFederalRegisterServer, type FederalRegisterServer } from '../../apps/worker/src/testing/federal-register-server';
import { eventually } from '../../apps/worker/src/testing/worker-test-context';
import { ADMIN_KEY, J, TREE, enc, sleep } from '../support/api-harness';
import { startAppProcess, type AppProcess } from '../support/app-process';
import { ROOT } from '../support/compiled-apps';
import { sendUntilAnswered, startWriters, titleOf, type WriteLoad } from './load';
import { freePort, startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from './private-services';

// Writes and ingestion under load while the services fail: PostgreSQL restarted (fast, then
// immediate: crash recovery), Redis restarted empty, the API and the worker killed with SIGKILL
// and started again. The API and the worker are the compiled apps (`npm run test:faults` builds
// them first), as processes of their own, on a PostgreSQL cluster and a Redis server of this
// suite's own: restarting the shared ones would break every other test run using them.
//
// After each fault, from the database and the API: exactly one action per Idempotency-Key,
// every acknowledged write on its jurisdiction's timeline, every run asked for completed
// exactly once (runs cut off by the fault failed with their reason, none left running), and
// every source item proposed exactly once.

const API_ENTRY = join(ROOT, 'dist/apps/api/src/main.js');
const WORKER_ENTRY = join(ROOT, 'dist/apps/worker/src/main.js');
/** Nothing listens there: a default source that ran by mistake fails at once instead of reaching the network. */
const NOWHERE = 'http://127.0.0.1:9/api';
const PREFIX = 'faults';
/** One writer per jurisdiction, each its own timeline. */
const WRITERS = [J.sanJose, J.oakland, J.sacramento, J.newYork];
/** Federal Register documents each scenario's source serves: 12 pages of 5, so the fault meets the run mid-way. */
const DOCUMENTS = 60;

interface Scenario {
  name: string;
  /** Source id and key tag. */
  slug: string;
  /** Year the source's documents are signed in: a year apart, their document numbers differ. */
  year: number;
  fault(): Promise<void>;
  /** What must hold once the service is back, before the load ends. */
  recovered?(): Promise<void>;
}

interface Counts {
  fault: string;
  downMs: number;
  requests: number;
  retries: number;
  failedTries: string;
  lostAnswers: number;
  acknowledged: number;
  actionsFound: number;
  duplicates: number;
  missingFromTimeline: number;
  runsStarted: number;
  runsCutOff: number;
  runsSucceeded: number;
  itemsServed: number;
  itemsProposed: number;
  duplicateProposals: number;
  /** Events in the ledger once the fault was over, every one sealed, signed and verified ('-' if not reached). */
  sealedAndVerified: number | '-';
  /** How each run the fault cut off ended. */
  cutOffErrors: string[];
}

let pg: PrivatePostgres | undefined;
let redis: PrivateRedis | undefined;
let db: Kysely<object> | undefined;
let producer: BullmqIngestionQueue | undefined;
let api: AppProcess | undefined;
let worker: AppProcess | undefined;
let apiPort = 0;
const servers = new Map<string, { server: FederalRegisterServer; documents: Record<string, unknown>[] }>();
const results: Counts[] = [];
/** The servers' versions, for the report. */
let versions = '';
const apiUrl = () => `http://127.0.0.1:${apiPort}`;
const sourceId = (slug: string) => `federal-register:faults-${slug}`;

function appEnv(): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: pg!.url,
    REDIS_URL: redis!.url,
    BULLMQ_PREFIX: PREFIX,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    API_ADMIN_KEY: ADMIN_KEY,
    // Both apps seal (whichever holds the lock), signed with the same key.
    LEDGER_SIGNING_KEY: SIGNING_KEY_PEM,
    // Unthrottled: the writers send hundreds of requests a minute from one key.
    RATE_LIMIT_READS_PER_MINUTE: '0',
    RATE_LIMIT_WRITES_PER_MINUTE: '0',
    FEDERAL_REGISTER_BASE_URL: NOWHERE,
    DOJ_BASE_URL: NOWHERE,
    COURTLISTENER_BASE_URL: NOWHERE,
    LEGISTAR_BASE_URL: NOWHERE,
    // A killed worker's job and its hold on the source are taken up again within seconds, not minutes.
    WORKER_JOB_LOCK_MS: '4000',
    INGESTION_LEASE_MS: '4000',
    WORKER_SHUTDOWN_MS: '5000',
    LOG_LEVEL: 'warn',
  };
}

const SIGNING_KEY = generateKeyPairSync('ed25519');
const SIGNING_KEY_PEM = SIGNING_KEY.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const startApi = async () => (api = await startAppProcess(API_ENTRY, appEnv(), /API docs: \S+\/api\/docs/));
const startWorker = async () => (worker = await startAppProcess(WORKER_ENTRY, appEnv(), /Policy Ledger worker running .* ingestion queues/));

const SCENARIOS: Scenario[] = [
  { name: 'PostgreSQL restart, fast', slug: 'pg-fast', year: 2017, fault: () => pg!.restart('fast') },
  { name: 'PostgreSQL restart, immediate (crash recovery)', slug: 'pg-immediate', year: 2018, fault: () => pg!.restart('immediate') },
  { name: 'Redis restart (empty)', slug: 'redis', year: 2019, fault: () => redis!.restart(1_000), recovered: () => expectQueuesRestored() },
  {
    name: 'API killed (SIGKILL), started again',
    slug: 'api-kill',
    year: 2020,
    fault: async () => {
      await api!.stop('SIGKILL');
      await startApi();
    },
  },
  {
    name: 'worker killed (SIGKILL), started again',
    slug: 'worker-kill',
    year: 2021,
    fault: async () => {
      await worker!.stop('SIGKILL');
      await startWorker();
    },
  },
];

/** Whatever ends the Jest process, no server of ours outlives it (afterAll does this on an ordinary end). */
function killEverything(): void {
  for (const app of [api, worker]) if (app && app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
  redis?.destroy();
  pg?.destroy();
}

beforeAll(async () => {
  if (!existsSync(API_ENTRY) || !existsSync(WORKER_ENTRY)) throw new Error('dist/ has no compiled API or worker: run `npm run test:faults`, which builds them first');
  process.once('exit', killEverything);
  [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  db = createDb(pg.url, { max: 2, applicationName: 'policy-ledger-faults' });
  producer = new BullmqIngestionQueue(redisConnection(redis.url), PREFIX);
  const { rows } = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(db);
  versions = `PostgreSQL ${rows[0].v}, Redis ${/v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? '?'}`;
  apiPort = await freePort();
  await startApi();

  const deadline = Date.now() + 30_000;
  for (const j of TREE) {
    const res = await sendUntilAnswered(apiUrl, 'POST', '/api/v1/jurisdictions', { body: j, deadline });
    if (res.status !== 201) throw new Error(`registering ${j.id}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  // The default sources would run at 06:15 UTC against nothing; only the scenarios' sources run here.
  for (const id of ['federal-register', 'doj-press', 'legistar:chicago']) {
    const res = await sendUntilAnswered(apiUrl, 'PATCH', `/api/v1/ingestion/sources/${enc(id)}`, { body: { enabled: false }, deadline });
    if (res.status !== 200) throw new Error(`disabling ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  for (const s of SCENARIOS) {
    const from = `${s.year}-02-01`;
    const documents = generateDocuments(DOCUMENTS, { from, perDay: DOCUMENTS });
    // Each answer 100 ms late, and the source's own 250 ms between requests: a run takes seconds.
    const server = await startFederalRegisterServer(documents, { delayMs: 100 });
    servers.set(s.slug, { server, documents });
    const res = await sendUntilAnswered(apiUrl, 'POST', '/api/v1/ingestion/sources', {
      body: { id: sourceId(s.slug), name: `Fault suite: ${s.name}`, config: { baseUrl: server.baseUrl, perPage: 5, startDate: from }, schedule: '0 3 1 1 *' },
      deadline,
    });
    if (res.status !== 201) throw new Error(`adding ${sourceId(s.slug)}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  // After the sources: a worker consumes the queues of the sources it found at its start.
  await startWorker();
}, 120_000);

afterAll(async () => {
  try {
    // A clean stop where they manage one in time; killEverything ends whatever did not.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([api?.stop('SIGTERM'), worker?.stop('SIGTERM')]),
      new Promise((resolve) => (timer = setTimeout(resolve, 15_000))),
    ]);
    clearTimeout(timer);
    await producer?.close().catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    for (const { server } of servers.values()) await server.close().catch(() => undefined);
  } finally {
    killEverything();
    process.removeListener('exit', killEverything);
  }
  report(results);
}, 60_000);

describe('faults under load', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const id = sourceId(scenario.slug);
    const { documents } = servers.get(scenario.slug)!;
    const tag = `${scenario.slug}-${process.pid}`;
    const writers = startWriters({ baseUrl: apiUrl, tag, jurisdictions: WRITERS, pauseMs: 40 });
    let load: WriteLoad | undefined;
    try {
      await sleep(1_000);
      const asked = await sendUntilAnswered<{ mode: string; jobId: string }>(apiUrl, 'POST', `/api/v1/ingestion/sources/${enc(id)}/runs`, { deadline: Date.now() + 60_000 });
      expect([asked.status, asked.body.mode]).toEqual([202, 'queued']);
      // The fault meets the run mid-way: some of its pages stored, most not.
      await eventually(async () => {
        const [run] = await runsOf(id);
        if (!run || run.proposed < 10) throw new Error(`the run has not stored its first pages: ${JSON.stringify(run)}`);
        if (run.status !== 'running') throw new Error(`the run ended before the fault: ${JSON.stringify(run)}`);
      }, 30_000, 25);

      const down = Date.now();
      await scenario.fault();
      const downMs = Date.now() - down;
      await scenario.recovered?.();
      // The writers go on a while against the recovered services, then finish what they are sending.
      await sleep(2_000);
      load = await writers.stop();

      // Ingestion settles: the run asked for has ended, however many attempts the fault cost it.
      const runs = await eventually(async () => {
        const all = await runsOf(id);
        if (all.some((r) => r.status === 'running') || !all.some((r) => r.status === 'succeeded')) throw new Error(`runs not settled: ${JSON.stringify(all)}`);
        return all;
      }, 120_000, 250);

      // Counted first, so the report shows a failing scenario's numbers too.
      const found = await measure(scenario, tag, load, runs, documents, downMs);
      results.push(found.counts);

      // Every write answered 201 in the end (a 4xx would be the ledger refusing a retry),
      // exactly one action per Idempotency-Key, and every acknowledged one on its timeline.
      expect(load.refused).toEqual([]);
      expect(found.notOnce).toEqual([]);
      expect(found.missing).toEqual([]);
      // The run asked for completed once: one run succeeded; any the fault cut off failed with
      // its reason; none is left running (see above) or holding the source.
      expect(found.counts.runsSucceeded).toBe(1);
      expect(runs.filter((r) => r.status === 'failed' && !r.error)).toEqual([]);
      expect(found.leaseHolder).toBeNull();
      // Every document proposed exactly once, and the runs' counts add up to the documents
      // (none counted by two runs).
      expect(found.streamsNotOnce).toEqual([]);
      expect(found.proposedByRuns).toBe(documents.length);
      // The seal went through the fault too: every event sealed, once, signed, and verify
      // recomputes it all.
      const verified = await eventually(async () => {
        const report = await verifyLedger(new EventStore(storeDb(db!)), { publicKey: SIGNING_KEY.publicKey });
        if (!report.ok || report.unsealed > 0) throw new Error(`seal not complete: ${JSON.stringify(report)}`);
        return report;
      }, 30_000, 250);
      expect(verified.signedSeals).toBe(verified.seals);
      found.counts.sealedAndVerified = verified.eventsChecked;
    } catch (err) {
      // What the apps said is the first thing to read when a scenario fails.
      const tail = (app: AppProcess | undefined) => (app?.output() ?? '').split('\n').slice(-40).join('\n');
      process.stderr.write(`\n${scenario.name} failed. The API's last lines:\n${tail(api)}\nThe worker's last lines:\n${tail(worker)}\n`);
      throw err;
    } finally {
      // A failed expectation above must not leave the writers running into the next scenario.
      if (!load) await writers.stop().catch(() => undefined);
    }
  }, 240_000);
});

interface RunRow {
  id: number;
  status: 'running' | 'succeeded' | 'failed';
  trigger: string;
  error: string | null;
  pages: number;
  proposed: number;
  unchanged: number;
}

/** The source's runs, newest first, as the worker recorded them. */
async function runsOf(id: string): Promise<RunRow[]> {
  const { rows } = await sql<RunRow>`
    SELECT id, status, trigger, error, pages, proposed, unchanged FROM ingestion_runs WHERE source_id = ${id} ORDER BY id DESC`.execute(db!);
  return rows;
}

/**
 * Redis came back empty: the worker must have put back what it keeps there for every source
 * (its Job Scheduler, its queue's global concurrency of 1), without a restart of its own.
 */
async function expectQueuesRestored(): Promise<void> {
  await eventually(async () => {
    const res = await sendUntilAnswered<{ items: { id: string; enabled: boolean; nextRunAt: string | null }[] }>(apiUrl, 'GET', '/api/v1/ingestion/sources', {
      deadline: Date.now() + 10_000,
    });
    const enabled = res.body.items.filter((s) => s.enabled);
    expect(enabled.map((s) => s.id).sort()).toEqual(SCENARIOS.map((s) => sourceId(s.slug)).sort());
    expect(enabled.filter((s) => s.nextRunAt === null).map((s) => s.id)).toEqual([]);
    for (const s of SCENARIOS) expect([s.slug, await producer!.queue(sourceQueueName(sourceId(s.slug))).getGlobalConcurrency()]).toEqual([s.slug, 1]);
  }, 20_000, 250);
}

/** What the ledger holds after a scenario: the counts for the report, and each departure from what must hold. */
async function measure(
  scenario: Scenario,
  tag: string,
  load: WriteLoad,
  runs: RunRow[],
  documents: Record<string, unknown>[],
  downMs: number,
): Promise<{ counts: Counts; notOnce: string[]; missing: string[]; streamsNotOnce: string[]; proposedByRuns: number; leaseHolder: string | null }> {
  // One action per key, by its title (what the client sent) and by the key its event carries.
  const titles = await sql<{ title: string; n: number }>`
    SELECT title, count(*)::int AS n FROM actions WHERE title LIKE ${titleOf(`${tag}-%`)} GROUP BY title`.execute(db!);
  const byTitle = new Map(titles.rows.map((r) => [r.title, r.n]));
  const keyed = await sql<{ key: string; n: number; causation: string }>`
    SELECT metadata->>'idempotencyKey' AS key, count(*)::int AS n, min(metadata->>'causationId') AS causation FROM events
     WHERE type = 'ActionRecorded' AND metadata->>'idempotencyKey' LIKE ${`%:${tag}-%`} GROUP BY 1`.execute(db!);
  // Stored as `<caller>:<key>`.
  const clientKey = (stored: string) => stored.slice(stored.indexOf(`:${tag}-`) + 1);
  const byKey = new Map(keyed.rows.map((r) => [clientKey(r.key), r.n]));
  const keys = [...load.acknowledged.map((a) => a.key), ...load.refused.map((r) => r.key)];
  const notOnce = keys.filter((k) => byTitle.get(titleOf(k)) !== 1 || byKey.get(k) !== 1);
  // Actions under this scenario's keys that no request of it names would be strays.
  if (byTitle.size > keys.length) notOnce.push(`${byTitle.size - keys.length} actions under keys never sent`);
  const duplicates = keys.reduce((sum, k) => sum + Math.max((byTitle.get(titleOf(k)) ?? 0) - 1, (byKey.get(k) ?? 0) - 1, 0), 0);
  // The try whose request appended the action: an earlier one than the try answered 201 means
  // that commit's answer was lost (the API killed, the connection cut) and the retry was
  // answered from it by its Idempotency-Key.
  const committedTry = new Map(keyed.rows.map((r) => [clientKey(r.key), Number(r.causation.slice(r.causation.lastIndexOf('.') + 1))]));
  const lostAnswers = load.acknowledged.filter((a) => (committedTry.get(a.key) ?? Infinity) < a.answeredTry).length;

  // Every acknowledged write on its jurisdiction's timeline, read through the API.
  const missing: string[] = [];
  for (const jurisdictionId of WRITERS) {
    const onTimeline = await timelineActionIds(jurisdictionId);
    for (const a of load.acknowledged) if (a.jurisdictionId === jurisdictionId && !onTimeline.has(a.id)) missing.push(a.key);
  }

  const lease = await sql<{ lease_run_id: string | null }>`SELECT lease_run_id FROM ingestion_sources WHERE id = ${sourceId(scenario.slug)}`.execute(db!);
  // Each document's action stream: one event, its proposal.
  const streams = documents.map((d) => `action-federal-register:${String(d.document_number)}`);
  const events = await sql<{ stream_id: string; n: number; proposed: number }>`
    SELECT stream_id, count(*)::int AS n, count(*) FILTER (WHERE type = 'ActionProposed')::int AS proposed
      FROM events WHERE stream_id = ANY(${streams}) GROUP BY stream_id`.execute(db!);
  const perStream = new Map(events.rows.map((r) => [r.stream_id, r]));
  const cutOff = runs.filter((r) => r.status === 'failed');

  const failedTries = [
    ...(load.networkErrors ? [`${load.networkErrors} network`] : []),
    ...Object.entries(load.serverErrors).map(([status, n]) => `${n}× ${status}`),
  ];
  return {
    counts: {
      fault: scenario.name,
      downMs,
      requests: load.requests,
      retries: load.retries,
      failedTries: failedTries.join(', ') || 'none',
      lostAnswers,
      acknowledged: load.acknowledged.length,
      actionsFound: byTitle.size,
      duplicates,
      missingFromTimeline: missing.length,
      runsStarted: runs.length,
      runsCutOff: cutOff.length,
      runsSucceeded: runs.filter((r) => r.status === 'succeeded').length,
      itemsServed: documents.length,
      itemsProposed: perStream.size,
      duplicateProposals: events.rows.reduce((sum, r) => sum + r.n - 1, 0),
      sealedAndVerified: '-',
      cutOffErrors: cutOff.map((r) => r.error ?? '(no reason recorded)'),
    },
    notOnce,
    missing,
    streamsNotOnce: streams.filter((s) => perStream.get(s)?.n !== 1 || perStream.get(s)?.proposed !== 1),
    proposedByRuns: runs.reduce((sum, r) => sum + r.proposed, 0),
    leaseHolder: lease.rows[0].lease_run_id,
  };
}

/** The ids of the actions on the jurisdiction's own timeline (inherited entries left out), every page. */
async function timelineActionIds(jurisdictionId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const path: string = `/api/v1/jurisdictions/${enc(jurisdictionId)}/timeline?inherited=false&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await sendUntilAnswered<{ entries: { actionId: string }[]; nextCursor: string | null }>(apiUrl, 'GET', path, { deadline: Date.now() + 30_000 });
    expect(page.status).toBe(200);
    for (const e of page.body.entries) ids.add(e.actionId);
    cursor = page.body.nextCursor;
  } while (cursor);
  return ids;
}

/** The counts as a Markdown table: printed at the end, kept in dist/, and with UPDATE_FAULTS_DOC=1 written into docs/faults.md. */
function report(rows: Counts[]): void {
  if (rows.length === 0) return;
  const header = [
    'fault', 'outage (ms)', 'write requests', 'retries', 'failed tries', 'committed, answer lost', 'acknowledged', 'actions found', 'duplicates', 'missing from timeline',
    'runs started', 'runs cut off', 'runs succeeded', 'items served', 'items proposed', 'duplicate proposals', 'events sealed and verified',
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 || i === 4 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) =>
      `| ${[r.fault, r.downMs, r.requests, r.retries, r.failedTries, r.lostAnswers, r.acknowledged, r.actionsFound, r.duplicates, r.missingFromTimeline,
        r.runsStarted, r.runsCutOff, r.runsSucceeded, r.itemsServed, r.itemsProposed, r.duplicateProposals, r.sealedAndVerified].join(' | ')} |`,
    ),
  ];
  const reasons = rows.flatMap((r) => r.cutOffErrors.map((e) => `- ${r.fault}: ${e}`));
  const table = `${lines.join('\n')}\n\nRuns cut off, and how they ended:\n\n${reasons.join('\n') || '- none'}`;
  process.stdout.write(`\nFault suite counts:\n\n${table}\n\n`);
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  writeFileSync(join(ROOT, 'dist', 'faults.md'), `${table}\n`);
  if (process.env.UPDATE_FAULTS_DOC === '1') {
    const doc = join(ROOT, 'docs', 'faults.md');
    const text = readFileSync(doc, 'utf8');
    const begin = '<!-- counts: begin -->';
    const end = '<!-- counts: end -->';
    const stamp = `Run of ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${versions}, ${os.cpus().length} cores.`;
    writeFileSync(doc, text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${stamp}\n\n${table}\n${end}`));
  }
}
