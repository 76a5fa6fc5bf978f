import { z } from 'zod';
import { DomainError } from '../domain';

/** A cursor-paged list's answer: its items and where the next page starts. Named `id` in the contract. */
export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .strictObject({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({ description: 'the `cursor` of the next page; null on the last page' }),
    })
    .meta({ id });
}

/** A sort key as an opaque cursor: the last row's values, JSON in base64url. */
export function encodeKeyCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The values an encodeKeyCursor cursor holds; undefined for anything that is not one (the caller checks their types). */
export function decodeKeyCursor(cursor: string): unknown[] | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The one answer to a cursor this endpoint did not hand out: 400 naming query.cursor. */
export function invalidCursor(): DomainError {
  return new DomainError('QUERY.INVALID_CURSOR', 'invalid cursor', {
    // 'query.' as every other paged parameter's error path reads (query.limit, query.from…).
    errors: [{ path: 'query.cursor', message: 'must be a nextCursor returned by this endpoint' }],
  });
}
