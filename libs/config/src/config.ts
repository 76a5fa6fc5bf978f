import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL with protocol ${protocols.join(' or ')}`);

/** Every environment variable the project reads, with its rule and default. */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATA_DIR: z.string().min(1).default('.data'),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  API_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  API_READ_REQUIRES_KEY: booleanFlag.default(false),
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /** Memory for cached read answers (timelines, comparisons, searches), in MiB; 0 turns the cache off. */
  READ_CACHE_MB: z.coerce.number().int().min(0).max(65_536).default(128),
  /**
   * Requests per minute for each API key (or, without one, each client address): reads, and
   * writes (POST, PATCH, PUT, DELETE) in a budget of their own; 0 turns that limit off.
   */
  RATE_LIMIT_READS_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(1200),
  RATE_LIMIT_WRITES_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(300),
  /** Origins (comma-separated) whose pages may call the API from a browser; CORS is off when unset. */
  CORS_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(
      z.array(
        z.string().refine((o) => {
          try {
            const u = new URL(o);
            return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
          } catch {
            return false;
          }
        }, 'each must be an origin such as https://notebooks.example.org (scheme, host and port only)'),
      ),
    )
    .optional(),
  /** The console's built files (`npm run build:console`); `dist/console` beside the API when unset. */
  CONSOLE_DIR: z.string().min(1).optional(),
  /** Run the asynchronous projections in this process (API replicas may leave them to the worker). */
  RUN_PROJECTIONS: booleanFlag.default(true),
  PROJECTION_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  PROJECTION_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(2000),
  /**
   * The Ed25519 private key (PKCS#8 PEM, or the path of a file holding it) that signs each seal
   * of the ledger; seals are unsigned without it. `openssl genpkey -algorithm ed25519` makes one.
   */
  LEDGER_SIGNING_KEY: z
    .string()
    .transform((value, ctx): KeyObject => {
      try {
        const key = createPrivateKey(value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8'));
        if (key.asymmetricKeyType === 'ed25519') return key;
        ctx.addIssue({ code: 'custom', message: `must be an Ed25519 private key, not ${key.asymmetricKeyType}` });
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not a PEM private key';
        ctx.addIssue({ code: 'custom', message: `must be an Ed25519 private key in PEM, or a file holding one (${reason})` });
      }
      return z.NEVER;
    })
    .optional(),
  /** Where each source is read from: the public APIs by default; a mirror or a test server otherwise. */
  FEDERAL_REGISTER_BASE_URL: url(['http:', 'https:']).default('https://www.federalregister.gov/api/v1'),
  DOJ_BASE_URL: url(['http:', 'https:']).default('https://www.justice.gov/api/v1'),
  COURTLISTENER_BASE_URL: url(['http:', 'https:']).default('https://www.courtlistener.com/api/rest/v4'),
  COURTLISTENER_TOKEN: z.string().min(1).optional(),
  /** The secret path segment CourtListener's webhook deliveries are posted to; webhooks are off without it. */
  COURTLISTENER_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LEGISTAR_BASE_URL: url(['http:', 'https:']).default('https://webapi.legistar.com/v1'),
  /** Stop a worker after this long waiting for its active jobs at shutdown (BullMQ's close waits forever). */
  WORKER_SHUTDOWN_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** BullMQ's key prefix: deployments (or tests) sharing one Redis keep their queues apart. */
  BULLMQ_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only').default('bull'),
  /**
   * How long a worker's hold on a job lasts without renewal: a job whose worker died is taken up
   * again by another about this long after (BullMQ's lockDuration and stalled-job check).
   */
  WORKER_JOB_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /**
   * How long a source run's hold on its source lasts without renewal (renewed at every page):
   * after a crash, the next run of the source waits this long at most.
   */
  INGESTION_LEASE_MS: z.coerce.number().int().min(500).max(3_600_000).default(300_000),
});

export type AppConfig = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Parses and validates configuration; throws a ConfigError naming each bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv): AppConfig {
  // An empty variable means "unset": shells and compose files often export FOO= .
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })),
    );
  }
  return result.data;
}

let cached: AppConfig | undefined;

/**
 * The process configuration, read from process.env once. On a bad value the process stops
 * with a message naming the variable: a misconfigured replica must not start half-working.
 */
export function loadConfig(): AppConfig {
  if (cached) return cached;
  try {
    cached = parseConfig(process.env);
    return cached;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
