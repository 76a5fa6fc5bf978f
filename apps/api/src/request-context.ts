import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { scopedIdempotencyKey, type CommandMeta } from '@app/policy';
import type { Caller } from './api-key.guard';
import { HttpProblem } from './problem';

const MESSAGE_ID = /^[\w.:-]{1,100}$/;

/**
 * Who is asking, and under which ids: the metadata every appended event carries. The request
 * (its X-Request-Id, else a generated id) is the command, so it is the events' causation; a
 * caller's X-Correlation-Id ties several requests into one piece of work, else the request
 * stands alone and correlates with itself. The Idempotency-Key is kept per caller: the same
 * key from two API keys names two requests.
 */
export const Meta = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandMeta => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest & { caller?: Caller }>();
  const key = request.headers['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key))) {
    throw new HttpProblem(400, 'REQUEST.INVALID', 'Invalid request', 'bad Idempotency-Key', [
      { path: 'header.idempotency-key', message: 'must be 1–200 visible ASCII characters' },
    ]);
  }
  const correlation = request.headers['x-correlation-id'];
  if (correlation !== undefined && (typeof correlation !== 'string' || !MESSAGE_ID.test(correlation))) {
    throw new HttpProblem(400, 'REQUEST.INVALID', 'Invalid request', 'bad X-Correlation-Id', [
      { path: 'header.x-correlation-id', message: 'must be 1–100 letters, digits, or . _ : -' },
    ]);
  }
  const requestId = String(request.id);
  const actor = request.caller?.id ?? 'anonymous';
  const idempotencyKey = key === undefined ? undefined : scopedIdempotencyKey(actor, key);
  return { actor, correlationId: correlation ?? requestId, causationId: requestId, idempotencyKey };
});

/** The version in If-Match ("3", W/"3" or 3); 428 when absent, 400 when unreadable. */
export const IfMatchVersion = createParamDecorator((_: unknown, ctx: ExecutionContext): number => {
  const header = ctx.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  if (header === undefined) {
    throw new HttpProblem(428, 'REQUEST.PRECONDITION_REQUIRED', 'Precondition required', 'send If-Match with the version you read', [
      { path: 'header.if-match', message: 'is required (the action version, from its ETag)' },
    ]);
  }
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(header).trim());
  if (!match) {
    throw new HttpProblem(400, 'REQUEST.INVALID', 'Invalid request', 'bad If-Match', [
      { path: 'header.if-match', message: 'must be an action version such as "3"' },
    ]);
  }
  return Number(match[1]);
});
