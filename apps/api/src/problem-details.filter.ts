import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventStoreError, IdempotencyKeyReusedError, VersionConflictError } from '@app/event-store';
import { isDomainError, type FieldError } from '@app/policy';
import { HttpProblem } from './problem';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors: FieldError[];
  [key: string]: unknown;
}

const DOCS = 'https://policy-ledger.dev/problems/';

/**
 * Every error leaves the API as RFC 9457 problem+json with a stable `code`; shared code
 * throws domain errors and this is the one place that knows HTTP status codes.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const problem = this.toProblem(error);
    if (problem.status >= 500) this.logger.error({ err: error, url: request.url }, 'request failed');
    reply.status(problem.status).header('content-type', 'application/problem+json').send({ ...problem, instance: request.url });
  }

  private toProblem(error: unknown): Problem {
    const make = (status: number, code: string, title: string, detail: string, errors: FieldError[] = [], extra = {}) => ({
      type: DOCS + code.toLowerCase().replace(/[._]/g, '-'),
      title,
      status,
      detail,
      code,
      errors,
      ...extra,
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
      return make(422, error.code, 'Idempotency key reused', error.message, [
        { path: 'header.idempotency-key', message: 'was already used with a different request body' },
      ]);
    }
    if (error instanceof EventStoreError) return make(400, error.code, 'Invalid request', error.message);
    const fastify = error as { statusCode?: number; code?: string; message?: string };
    if (fastify?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return make(413, 'REQUEST.TOO_LARGE', 'Payload too large', 'the request body exceeds the limit', [
        { path: 'body', message: 'must be at most 1 MB' },
      ]);
    }
    if (fastify?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return make(415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 'send application/json');
    }
    if (fastify?.statusCode === 400 || (error instanceof SyntaxError && /JSON/.test(error.message))) {
      return make(400, 'REQUEST.MALFORMED_JSON', 'Malformed request', fastify.message ?? 'malformed body', [
        { path: 'body', message: 'must be valid JSON' },
      ]);
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      return make(status, status === 404 ? 'ROUTE.NOT_FOUND' : 'HTTP.ERROR', error.message, error.message);
    }
    return make(500, 'INTERNAL', 'Internal error', 'the server could not complete the request');
  }
}
