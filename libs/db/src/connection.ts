import { Kysely, PostgresDialect } from 'kysely';
import { Pool, types, type PoolClient } from 'pg';

const INT8_OID = 20;
const DATE_OID = 1082;

/**
 * Type parsers for this project's columns, set per pool rather than globally so that a
 * library user's own `pg` clients are left as they were.
 * - bigint positions fit in a double for any ledger we will ever hold (2^53), and numbers
 *   are what callers compare and serialise;
 * - `date` stays the 'YYYY-MM-DD' string: turning it into a JS Date would shift it by the
 *   process's time zone.
 */
function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8_OID) return (v: string) => Number(v);
  if (oid === DATE_OID) return (v: string) => v;
  return types.getTypeParser(oid, (format ?? 'text') as 'text');
}

/**
 * SQL whose text contains this marker is sent as a named (prepared) statement: parsed and
 * planned once per connection instead of on every call. For the store's few fixed-shape hot
 * statements only: each distinct text stays prepared for the connection's life. Off for
 * servers that share one session between connections (PGlite's socket server) or that
 * hand out a different session per transaction (PgBouncer in transaction mode).
 */
export const PREPARE = '/* prepare */';
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `pl_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

function prepareMarkedStatements(client: PoolClient): void {
  type Query = (...args: unknown[]) => unknown;
  const query = client.query.bind(client) as Query;
  (client as unknown as { query: Query }).query = (config: unknown, values?: unknown, callback?: unknown) =>
    typeof config === 'string' && config.includes(PREPARE)
      ? query({ name: statementName(config), text: config, values }, callback)
      : query(config, values, callback);
}

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /** Prepare the statements marked with PREPARE (default true; false for PGlite / PgBouncer). */
  prepareStatements?: boolean;
}

export function createPool(connectionString: string, options: PoolOptions = {}): Pool {
  const pool = new Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'policy-ledger',
    types: { getTypeParser: typeParser as typeof types.getTypeParser },
  });
  // An idle client losing its connection (server restart) must not crash the process;
  // the pool replaces it on the next checkout.
  pool.on('error', () => undefined);
  // The pool only listens while a client is idle: a checked-out client whose backend dies
  // between two queries (pg_terminate_backend, failover) would emit an unhandled 'error' and
  // kill the process. Its holder still sees the failure on its next query, and the pool
  // discards the client on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  if (options.prepareStatements !== false) pool.on('connect', prepareMarkedStatements);
  return pool;
}

/**
 * The process's connection pool as the apps hold it: typed for no table. Each library views
 * it through its own tables (`db.withTables<Tables>()`: the event store, the policy read
 * models, the API keys), so a renamed column fails to compile where it is used, and no code
 * needs an `any`.
 */
export type Database = Kysely<object>;

/** A Kysely instance over a `pg` pool. Destroying it ends the pool. */
export function createDb<DB = object>(connectionString: string, options: PoolOptions = {}): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPool(connectionString, options) }) });
}

/** Server codes of a database that went away or will not take us now (connection exception, shutdown, too many clients). */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * Whether an error says the database could not be reached or went away mid-request, rather
 * than that the request was wrong: a retry may well succeed. pg reports a lost backend as
 * "Connection terminated", and the next query on its client as "not queryable"; a refused
 * connection to a host with several addresses arrives as an AggregateError.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_CODES.has(code) || /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH)$/.test(code))) return true;
  return error instanceof Error && /Connection terminated|not queryable|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET/.test(error.message);
}
