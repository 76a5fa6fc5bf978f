import { ArgumentsHost, Catch, HttpException, Inject, Logger, type ExceptionFilter } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import { isDatabaseUnavailable } from '@app/db/connection';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventStoreError, IdempotencyKeyReusedError, InvalidCheckpointError, VersionConflictError } from '@app/event-store';
import { isDomainError, type FieldError } from '@app/policy';
import type { Problem as ProblemDocument } from './openapi-contract';
import { HttpProblem } from './problem';
import { RouteTable } from './route-table';
import { APP_CONFIG } from './tokens';

/** A problem as made here; the request's URL (`instance`) is added when it is sent. */
type Problem = Pick<ProblemDocument, 'type' | 'title' | 'status' | 'detail' | 'code' | 'errors'> & Record<string, unknown>;

const DOCS = 'https://policy-ledger.dev/problems/';
/** Seconds a client is asked to wait while the database is away: a restart takes about this long. */
const DATABASE_RETRY_AFTER_S = 2;

/**
 * Every error leaves the API as RFC 9457 problem+json with a stable `code`; shared code
 * throws domain errors and this is the one place that knows HTTP status codes.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly routes: RouteTable,
  ) {}

  /** The configured body limit as people say it (the default, 1 MB). */
  private bodyLimitText(): string {
    const bytes = this.config.API_BODY_LIMIT_BYTES;
    return bytes % 1_048_576 === 0 ? `${bytes / 1_048_576} MB` : `${bytes} bytes`;
  }

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    let problem = this.toProblem(error);
    if (problem.code === 'ROUTE.NOT_FOUND') problem = this.unrouted(request, reply, problem);
    if (problem.status >= 500 && problem.code !== 'DATABASE.UNAVAILABLE') this.logger.error({ err: error, url: request.url }, 'request failed');
    if (problem.code === 'DATABASE.UNAVAILABLE') {
      this.logger.warn(`the database does not answer: ${request.method} ${request.url} gets a 503`);
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_S));
    }
    reply.status(problem.status).header('content-type', 'application/problem+json').send({ ...problem, instance: request.url });
  }

  /**
   * A path no route serves under this method: a 405 with `Allow` when it is served under
   * others, and a hint when an OCD id in it was not URL-encoded (its slashes split the path).
   */
  private unrouted(request: FastifyRequest, reply: FastifyReply, problem: Problem): Problem {
    const path = request.url.split('?')[0];
    const allowed = this.routes.methodsFor(path);
    if (allowed.length && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      return { ...problem, type: DOCS + 'route-method-not-allowed', title: 'Method not allowed', status: 405, code: 'ROUTE.METHOD_NOT_ALLOWED',
        detail: `${request.method} is not served at ${path}; it answers ${allowed.join(', ')}` };
    }
    const id = /ocd-division(?:\/[a-z_]+:[^/?]+)+/.exec(path)?.[0];
    if (id) {
      const encoded = path.replace(id, encodeURIComponent(id));
      if (this.routes.methodsFor(encoded).length) {
        return { ...problem, detail: `${problem.detail}: an OCD id in the path is one segment, its slashes and colons URL-encoded, as in ${encoded}` };
      }
    }
    return problem;
  }

  private toProblem(error: unknown): Problem {
    // Extra members come first so they can never replace a standard one: a domain error's
    // details may hold e.g. `status: 'proposed'` (the action's), which once became the HTTP
    // status and made Fastify answer 500.
    const make = (status: number, code: string, title: string, detail: string, errors: FieldError[] = [], extra = {}) => ({
      ...extra,
      type: DOCS + code.toLowerCase().replace(/[._]/g, '-'),
      title,
      status,
      detail,
      code,
      errors,
    });
    if (error instanceof HttpProblem) {
      return make(error.status, error.code, error.title, error.message, error.errors, error.extra);
    }
    if (isDomainError(error)) {
      const errors = error.errors ?? [];
      // A missing thing named in the URL is a 404; one named inside a valid body is a 422.
      const status =
        error.kind === 'validation' ? 400 : error.kind === 'conflict' ? 409 : errors.length ? 422 : 404;
      const title = { 400: 'Invalid request', 409: 'Conflict', 422: 'Unknown reference', 404: 'Not found' }[status]!;
      return make(status, error.code, title, error.message, errors, error.details ?? {});
    }
    if (error instanceof VersionConflictError) {
      return make(409, 'POLICY.VERSION_CONFLICT', 'Conflict', error.message, [], { currentVersion: error.actualVersion });
    }
    if (error instanceof IdempotencyKeyReusedError) {
      // The store names the key as kept, with the caller's prefix; the client knows its own key.
      return make(422, error.code, 'Idempotency key reused', 'this Idempotency-Key was already used by this API key for a different request', [
        { path: 'header.idempotency-key', message: 'was already used with a different request body' },
      ]);
    }
    if (error instanceof InvalidCheckpointError) {
      return make(400, error.code, 'Invalid request', error.message, [
        { path: 'query.after', message: 'must be a nextCursor returned by this endpoint' },
      ]);
    }
    // The store's remaining errors (a stopped projection, a wait that timed out, a rebuild
    // under way) are the server's state, not the request's fault.
    if (error instanceof EventStoreError) return make(503, error.code, 'Service unavailable', error.message);
    // Fastify's own errors (body parsing, body limit, media type) do not arrive as themselves:
    // Nest's RoutesResolver.mapExternalException rewraps them as plain HttpExceptions with
    // only the message and status code, so the status is what is left to map on.
    const fastify = error as { statusCode?: number; message?: string };
    const external = error instanceof HttpException ? error.getStatus() : fastify?.statusCode;
    const message = error instanceof Error ? error.message : 'malformed request';
    if (external === 413) {
      return make(413, 'REQUEST.TOO_LARGE', 'Payload too large', 'the request body exceeds the limit', [
        { path: 'body', message: `must be at most ${this.bodyLimitText()}` },
      ]);
    }
    if (external === 415) {
      return make(415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 'send application/json', [
        { path: 'header.content-type', message: 'must be application/json' },
      ]);
    }
    if (external === 400) {
      // Our own 400s are HttpProblems or domain errors (handled above); a bare 400 is Fastify's:
      // mostly a body that is not JSON (or empty with a JSON content type), else e.g. a
      // Content-Length that does not match the body.
      const json = /JSON/i.test(message);
      return make(400, json ? 'REQUEST.MALFORMED_JSON' : 'REQUEST.MALFORMED', 'Malformed request', message,
        json ? [{ path: 'body', message: 'must be valid JSON' }] : []);
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      return make(status, status === 404 ? 'ROUTE.NOT_FOUND' : 'HTTP.ERROR', error.message, error.message);
    }
    // The database restarting or out of reach: the request may be fine, and a retry (with its
    // Idempotency-Key, for a write) is safe; say so rather than 500.
    if (isDatabaseUnavailable(error)) {
      return make(503, 'DATABASE.UNAVAILABLE', 'Service unavailable', 'the database does not answer; retry in a moment');
    }
    return make(500, 'INTERNAL', 'Internal error', 'the server could not complete the request');
  }
}
