import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable, StreamableFile, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { Observable, from, map, of, switchMap } from 'rxjs';
import type { AppConfig } from '@app/config';
import type { Database } from '@app/db';
import { LedgerHead } from '@app/event-store';
import { APP_CONFIG, DATABASE } from './tokens';

/** The headers of an answer that are part of it, kept with its body. */
const KEPT_HEADERS = ['content-type', 'content-disposition', 'x-next-cursor'] as const;

interface CachedAnswer {
  head: number;
  /** UTF-8, as it is sent: half the memory of a string, and nothing to encode on a hit. */
  body: Buffer;
  headers: Partial<Record<(typeof KEPT_HEADERS)[number], string>>;
}

/**
 * Answers of reads that depend only on the ledger (timelines, comparisons, searches, the
 * directory), cached in this process and keyed by the URL and the ledger's head (LedgerHead):
 * a write anywhere moves the head, so no answer computed before it is served after it, in
 * this process or another. Every answer carries an ETag made of the head, so a client that
 * sends it back with If-None-Match gets a 304 without the query being run.
 *
 * The head is read once per request (a query shared by concurrent requests): a replica that
 * did not see a write cannot know of it otherwise, and it costs far less than the read it
 * saves. Guards run before interceptors, so a key is checked before anything is served.
 */
@Injectable()
export class ReadCache implements NestInterceptor {
  private readonly head: LedgerHead;
  private readonly answers: LRUCache<string, CachedAnswer> | null;
  /** The head a request's fast path read, so the interceptor does not read it again. */
  private readonly headOf = new WeakMap<FastifyRequest, number>();

  constructor(@Inject(DATABASE) db: Database, @Inject(APP_CONFIG) config: AppConfig) {
    this.head = new LedgerHead(db);
    this.answers =
      config.READ_CACHE_MB > 0
        ? new LRUCache<string, CachedAnswer>({
            maxSize: config.READ_CACHE_MB * 1024 * 1024,
            sizeCalculation: (answer, key) => answer.body.length + 2 * key.length + 200,
          })
        : null;
  }

  /**
   * A Fastify preHandler that answers a GET of a cached read before Nest's pipeline runs (its
   * guards, interceptors and parameter pipes cost more than the answer itself). Only for URLs
   * a cached route has answered, and only where reads need no key (app.ts): with keys, the
   * guard must see every request, and the interceptor serves the same answers after it.
   */
  readonly preHandler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.method !== 'GET' || !this.answers?.has(request.url)) return;
    const head = await this.head.read();
    if (this.answer(request, reply, head)) await reply.send(reply.statusCode === 304 ? '' : this.answers.get(request.url)!.body);
    else this.headOf.set(request, head);
  };

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const known = this.headOf.get(request);
    return from(known === undefined ? this.head.read() : Promise.resolve(known)).pipe(
      switchMap((head) => {
        if (this.answer(request, reply, head)) return of(unchanged.has(request) ? '' : this.answers!.get(request.url)!.body);
        return next.handle().pipe(
          map((body: unknown) => {
            // Only a successful answer gets here; an error never carries the head's ETag.
            reply.header('etag', etagOf(head, request.url));
            if (body instanceof Readable || body instanceof StreamableFile) return body;
            let text: string;
            if (typeof body === 'string') text = body;
            else {
              text = JSON.stringify(body);
              reply.header('content-type', 'application/json; charset=utf-8');
            }
            if (this.answers) {
              const headers: CachedAnswer['headers'] = {};
              for (const name of KEPT_HEADERS) {
                const value = reply.getHeader(name);
                if (typeof value === 'string') headers[name] = value;
              }
              this.answers.set(request.url, { head, body: Buffer.from(text), headers });
              reply.header('x-cache', 'miss');
            }
            return text;
          }),
        );
      }),
    );
  }

  /**
   * Sets up the reply when the answer is known without running the read: a 304 for a current
   * If-None-Match, or the cached answer's headers when it was computed at this head. False
   * when the read must run.
   */
  private answer(request: FastifyRequest, reply: FastifyReply, head: number): boolean {
    const etag = etagOf(head, request.url);
    reply.header('cache-control', 'no-cache');
    if (notModified(request.headers['if-none-match'], etag)) {
      reply.header('etag', etag);
      unchanged.add(request);
      reply.code(304);
      return true;
    }
    const cached = this.answers?.get(request.url);
    if (cached?.head !== head) return false;
    for (const [name, value] of Object.entries(cached.headers)) reply.header(name, value);
    reply.header('etag', etag).header('x-cache', 'hit');
    return true;
  }
}

/** The head and the URL: another page of the same ledger has a tag of its own. */
const etagOf = (head: number, url: string) => `W/"${head}-${createHash('sha1').update(url).digest('base64url').slice(0, 10)}"`;

/** Requests answered 304 by ReadCache: Nest sets the route's status, so the hook below changes it after. */
const unchanged = new WeakSet<FastifyRequest>();

/** The 304 of ReadCache, as the last word on the status. */
export function notModifiedHook(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload?: unknown) => void): void {
  if (!unchanged.has(request)) return done(null, payload);
  reply.code(304);
  done(null, '');
}

/** If-None-Match as RFC 9110 reads it: a list of tags, compared weakly, or `*`. */
function notModified(header: string | string[] | undefined, etag: string): boolean {
  if (typeof header !== 'string') return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || weak(tag) === weak(etag));
}
