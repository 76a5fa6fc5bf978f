import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '@app/config';
import { findApiKeyByPlaintext, hasLiveApiKey, touchApiKey, type Database } from '@app/db';
import { HttpProblem } from './problem';
import { APP_CONFIG, DATABASE } from './tokens';

export type Role = 'analyst' | 'curator' | 'admin';
const RANK: Record<Role, number> = { analyst: 1, curator: 2, admin: 3 };

const ROLE_KEY = 'requiredRole';
/** The least role a route needs; routes without it are reads. */
export const RequiresRole = (role: Role) => SetMetadata(ROLE_KEY, role);

const PUBLIC_KEY = 'publicRoute';
/**
 * Open even when API_READ_REQUIRES_KEY is set: liveness and readiness probes (load balancers,
 * orchestrators) carry no API key, and a 401 would take every replica out of service.
 */
export const PublicRoute = () => SetMetadata(PUBLIC_KEY, true);

export interface Caller {
  /** The actor recorded on the events it appends: `key:<stored key id>` or `env:API_ADMIN_KEY`. */
  id: string;
  role: Role;
  /** What the key is for, as named when created; null for an unnamed key. */
  name: string | null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Bearer API keys with roles (analyst < curator < admin). Keys are stored hashed; the
 * API_ADMIN_KEY variable, when set, is an admin key that needs no row.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets)) return true;
    const required = this.reflector.getAllAndOverride<Role | undefined>(ROLE_KEY, targets);
    const request = context.switchToHttp().getRequest<FastifyRequest & { caller?: Caller }>();
    const needed: Role | undefined = required ?? (this.config.API_READ_REQUIRES_KEY ? 'analyst' : undefined);
    if (!needed) return true;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const caller = match ? await identifyCaller(match[1], this.db, this.config) : null;
    if (!caller) {
      // No key could pass yet: say what to configure rather than blame the one sent.
      if (await writesAreOff(this.db, this.config)) throw unauthorized(WRITES_OFF);
      throw unauthorized(match ? 'the API key is not valid' : 'send Authorization: Bearer <api key>');
    }
    if (!hasRole(caller.role, needed)) {
      throw new HttpProblem(403, 'AUTH.FORBIDDEN', 'Forbidden', `this needs the ${needed} role; the key has ${caller.role}`);
    }
    request.caller = caller;
    return true;
  }
}

/** Who holds this API key: the API_ADMIN_KEY variable, or a stored key; null for neither. */
/**
 * Who holds this API key: the API_ADMIN_KEY variable, or a stored key that has not expired;
 * null for neither. An expired key throws its own 401, so its holder learns why.
 */
export async function identifyCaller(key: string, db: Database, config: AppConfig): Promise<Caller | null> {
  const admin = config.API_ADMIN_KEY;
  if (admin && timingSafeEqual(sha256(admin), sha256(key))) return { id: 'env:API_ADMIN_KEY', role: 'admin', name: 'API_ADMIN_KEY' };
  const row = await findApiKeyByPlaintext(db, key);
  if (!row) return null;
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw unauthorized(`the API key expired at ${row.expiresAt.toISOString()}`);
  noteUse(db, row.id);
  return { id: `key:${row.id}`, role: row.role, name: row.name };
}

/** When this process last noted each key's use: the table is written at most once a minute per key. */
const lastNoted = new Map<string, number>();

function noteUse(db: Database, id: string): void {
  const now = Date.now();
  if (now - (lastNoted.get(id) ?? 0) < 60_000) return;
  lastNoted.set(id, now);
  // Not awaited: a request never waits on bookkeeping, and a failure only leaves the time older.
  touchApiKey(db, id).catch(() => lastNoted.delete(id));
}

export const WRITES_OFF =
  'writes are off until API_ADMIN_KEY is set or a key is created (npm run cli -- keys create --role admin)';

/** True while no request can be authorised: no API_ADMIN_KEY and no live stored key. */
export async function writesAreOff(db: Database, config: AppConfig): Promise<boolean> {
  return !config.API_ADMIN_KEY && !(await hasLiveApiKey(db));
}

/** Whether a role reaches the one needed (analyst < curator < admin). */
export const hasRole = (role: Role, needed: Role) => RANK[role] >= RANK[needed];

const unauthorized = (detail: string) =>
  new HttpProblem(401, 'AUTH.UNAUTHORIZED', 'Unauthorized', detail, [{ path: 'header.authorization', message: detail }]);
