import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type ColumnType } from 'kysely';
import type { Database } from './connection';

export const API_KEY_ROLES = ['analyst', 'curator', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

export interface ApiKeysTable {
  id: string;
  name: string | null;
  role: ApiKeyRole;
  key_hash: string;
  created_at: ColumnType<Date, never, never>;
  revoked_at: ColumnType<Date | null, never, Date>;
  expires_at: ColumnType<Date | null, Date | null | undefined, never>;
  last_used_at: ColumnType<Date | null, never, Date>;
}

// A type, not an interface: Kysely's withTables wants an index signature.
export type ApiKeysDatabase = {
  api_keys: ApiKeysTable;
};

// Callers pass the process's untyped connection; these functions view it through the one
// table they touch.
const keysDb = (db: Database) => db.withTables<ApiKeysDatabase>();

export interface ApiKeyInfo {
  id: string;
  name: string | null;
  role: ApiKeyRole;
  createdAt: Date;
  revokedAt: Date | null;
  /** When it stops working; null for never. */
  expiresAt: Date | null;
  /** When it last let a request in (kept to the minute); null for never. */
  lastUsedAt: Date | null;
}

// Keys carry 256 random bits, so a fast unsalted hash is enough: there is nothing to
// brute-force, and a hash lets the lookup use the unique index.
const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** Creates a key; the plaintext is returned here only (the table keeps its hash). */
export async function createApiKey(
  db: Database,
  options: { role: ApiKeyRole; name?: string | null; expiresAt?: Date | null },
): Promise<{ id: string; key: string }> {
  if (!API_KEY_ROLES.includes(options.role)) {
    throw new RangeError(`role must be one of ${API_KEY_ROLES.join(', ')}, not "${options.role}"`);
  }
  const id = randomUUID();
  // The prefix makes a leaked key recognisable to secret scanners and to people.
  const key = `pl_${randomBytes(32).toString('base64url')}`;
  await keysDb(db)
    .insertInto('api_keys')
    .values({ id, name: options.name ?? null, role: options.role, key_hash: hashKey(key), expires_at: options.expiresAt ?? null })
    .execute();
  return { id, key };
}

/** The key (not revoked) with this plaintext, or null; the caller refuses it when it has expired. */
export async function findApiKeyByPlaintext(
  db: Database,
  key: string,
): Promise<{ id: string; role: ApiKeyRole; name: string | null; expiresAt: Date | null } | null> {
  const row = await keysDb(db)
    .selectFrom('api_keys')
    .select(['id', 'role', 'name', 'expires_at'])
    .where('key_hash', '=', hashKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, role: row.role, name: row.name, expiresAt: row.expires_at } : null;
}

/** Notes that a key let a request in, at most once a minute per key (a write per request would be a write per read). */
export async function touchApiKey(db: Database, id: string): Promise<void> {
  await keysDb(db)
    .updateTable('api_keys')
    .set({ last_used_at: new Date() })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]))
    .execute();
}

/** Whether any key is live (not revoked): without one, and without API_ADMIN_KEY, nothing can write. */
export async function hasLiveApiKey(db: Database): Promise<boolean> {
  const row = await keysDb(db)
    .selectFrom('api_keys')
    .select('id')
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Revokes a key; false when there is no live key with this id. */
export async function revokeApiKey(db: Database, id: string): Promise<boolean> {
  const result = await keysDb(db)
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The names of these keys (revoked ones too: their events stay theirs), by id; unnamed keys are absent. */
export async function apiKeyNames(db: Database, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await keysDb(db).selectFrom('api_keys').select(['id', 'name']).where('id', 'in', ids).where('name', 'is not', null).execute();
  return new Map(rows.map((r) => [r.id, r.name!]));
}

/** Every key, revoked ones included, oldest first; never the hashes. */
export async function listApiKeys(db: Database): Promise<ApiKeyInfo[]> {
  const rows = await keysDb(db)
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'created_at', 'revoked_at', 'expires_at', 'last_used_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: r.role,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
  }));
}
