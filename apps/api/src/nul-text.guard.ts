import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { FieldError } from '@app/policy';
import { badRequest } from './problem';

const NUL = '\u0000';

/** The paths, as the client wrote them, of the strings (and keys) in `value` that hold a NUL. */
function nulPaths(value: unknown, path: string, found: string[]): void {
  if (found.length >= 10) return;
  if (typeof value === 'string') {
    if (value.includes(NUL)) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulPaths(v, path ? `${path}.${i}` : String(i), found));
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (key.includes(NUL)) found.push(at);
      else nulPaths(v, at, found);
    }
  }
}

/**
 * Refuses a NUL character (U+0000) anywhere in the path, the query or the body, naming each
 * field that holds one. PostgreSQL cannot store it in text, so it would otherwise fail deep in
 * a query as a 500; no text this ledger keeps has a use for it. Runs before every other guard.
 */
@Injectable()
export class NulTextGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const found: string[] = [];
    nulPaths(request.params, 'path', found);
    nulPaths(request.query, 'query', found);
    nulPaths(request.body, '', found);
    if (found.length === 0) return true;
    const errors: FieldError[] = found.map((path) => ({ path: path || 'body', message: 'must not contain the NUL character (U+0000)' }));
    throw badRequest('the request holds a NUL character, which no text here may contain', errors);
  }
}
