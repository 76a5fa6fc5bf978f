import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { CommandMeta } from '@app/policy';
import type { Caller } from './api-key.guard';
import { HttpProblem } from './problem';

/** Who is asking and under which request id: the metadata every appended event carries. */
export const Meta = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandMeta => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest & { caller?: Caller }>();
  const key = request.headers['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key))) {
    throw new HttpProblem(400, 'REQUEST.INVALID', 'Invalid request', 'bad Idempotency-Key', [
      { path: 'header.idempotency-key', message: 'must be 1–200 visible ASCII characters' },
    ]);
  }
  return { actor: request.caller?.id ?? 'anonymous', correlationId: String(request.id), idempotencyKey: key };
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
