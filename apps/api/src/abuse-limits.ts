import { createHash } from 'node:crypto';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@app/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { identifyCaller } from './api-key.guard';
import { HttpProblem } from './problem';
import { DATABASE } from './tokens';

const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** The headers a page on another origin may read: caching, paging and download names. */
export const CORS_EXPOSED_HEADERS = ['ETag', 'X-Next-Cursor', 'Content-Disposition', 'Retry-After'];

// Probes carry no key and an orchestrator polls them from one address; the console's and the
// docs' static files are loaded in bursts by every page view and cost nothing to serve.
const UNLIMITED = /^\/(?:health|ready|console|api\/docs)(?:[-/?]|$)/;

// Wide enough for any key `POST /api/v1/keys` makes or API_ADMIN_KEY allows, narrow enough
// that a header of garbage does not get a bucket of its own.
const BEARER = /^Bearer\s+([A-Za-z0-9._~+/=-]{16,256})$/i;

/** Decides whether a key is one the API knows (a stored key or API_ADMIN_KEY). */
export type KeyCheck = (key: string) => Promise<boolean>;

/**
 * Whose budget a request spends: its API key's when it sends a key the API knows (as a hash:
 * buckets may live in a shared Redis, keys must not), else its address's; reads and writes
 * apart. An unknown key spends the address's budget, or a reader could mint a fresh budget
 * with every made-up key (reads need no key, so nothing else would refuse it).
 */
export function rateLimitBuckets(isKnown: KeyCheck) {
  // Known keys are remembered briefly, so a busy key costs one lookup a minute, not one a request.
  const known = new LRUCache<string, boolean>({ max: 10_000, ttl: 60_000 });
  return async (request: Pick<FastifyRequest, 'method' | 'headers' | 'ip'>): Promise<string> => {
    const kind = WRITES.has(request.method) ? 'w' : 'r';
    const header = request.headers.authorization;
    const bearer = typeof header === 'string' ? BEARER.exec(header) : null;
    if (bearer) {
      const hash = createHash('sha256').update(bearer[1]).digest('base64url').slice(0, 22);
      let ok = known.get(hash);
      if (ok === undefined) {
        ok = await isKnown(bearer[1]).catch(() => false);
        if (ok) known.set(hash, true);
      }
      if (ok) return `${kind}:k:${hash}`;
    }
    return `${kind}:a:${request.ip}`;
  };
}

/**
 * CORS (an allow-list, off without one), security headers, and per-key or per-address rate
 * limits, on every route of this application; called before Nest registers its routes.
 */
export async function mountAbuseLimits(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  if (config.CORS_ORIGINS?.length) {
    await app.register(fastifyCors, {
      origin: config.CORS_ORIGINS,
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
      exposedHeaders: CORS_EXPOSED_HEADERS,
      // Keys travel in Authorization, never in cookies: nothing ambient for another origin to ride on.
      credentials: false,
      maxAge: 600,
    });
  }

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // The console shows the timeline SVG through an object URL.
        imgSrc: ["'self'", 'blob:', 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // The timeline and comparison SVGs are meant to be embedded in other sites' pages.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  // Swagger UI's page carries inline styles and a data: favicon; only that page gets them.
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (request.url === '/api/docs' || request.url.startsWith('/api/docs/') || request.url.startsWith('/api/docs?')) {
      reply.header(
        'content-security-policy',
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'",
      );
    }
    return payload;
  });

  const reads = config.RATE_LIMIT_READS_PER_MINUTE;
  const writes = config.RATE_LIMIT_WRITES_PER_MINUTE;
  if (!reads && !writes) return;
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { connectTimeout: 2000, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false })
    : undefined;
  // ioredis reports a lost connection as an error event; without a listener it would crash the process.
  redis?.on('error', () => undefined);
  await app.register(fastifyRateLimit, {
    // Installed below as an onRequest hook of the whole application, so that unknown routes
    // (someone scanning) spend budget too, and nothing depends on when Nest adds its routes.
    global: false,
    timeWindow: 60_000,
    keyGenerator: rateLimitBuckets(async (key) => (await identifyCaller(key, app.get(DATABASE), config)) !== null),
    max: (_request: FastifyRequest, bucket: string) => (bucket.startsWith('w:') ? writes : reads),
    allowList: (_request: FastifyRequest, bucket: string) => (bucket.startsWith('w:') ? writes : reads) === 0,
    ...(redis ? { redis, nameSpace: `${config.BULLMQ_PREFIX}:rate-limit:` } : {}),
    // A Redis outage must not take the API down with it: requests go through unmetered.
    skipOnError: !!redis,
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true },
    addHeaders: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true, 'retry-after': true },
    errorResponseBuilder: (request: FastifyRequest, context: { max: number; ttl: number }) => {
      const kind = WRITES.has(request.method) ? 'writes' : 'reads';
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      const detail = `more than ${context.max} ${kind} a minute; try again in ${seconds} s (Retry-After)`;
      return new HttpProblem(429, 'RATE.LIMITED', 'Too many requests', detail, [], { retryAfterSeconds: seconds });
    },
  });
  const limit = fastify.rateLimit();
  // A CORS preflight is the browser's, not the caller's, and answers nothing.
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'OPTIONS' && !UNLIMITED.test(request.url)) await limit.call(fastify, request, reply);
  });
  if (redis) fastify.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())));
}
