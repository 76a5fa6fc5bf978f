import { DomainError } from '@app/policy';

// Runs and parked items are listed newest first by id: the cursor is the last id of a page.

export function encodeIdCursor(id: number): string {
  return Buffer.from(String(id)).toString('base64url');
}

/** Anything but a cursor this API returned is refused, not read as a place to start. */
export function decodeIdCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString();
  if (!/^[1-9]\d{0,15}$/.test(text)) {
    throw new DomainError('INGESTION.INVALID_QUERY', 'invalid cursor', {
      errors: [{ path: 'query.cursor', message: 'must be a nextCursor returned by this endpoint' }],
    });
  }
  return Number(text);
}

export const INGESTION_LIST_MAX_LIMIT = 500;

/** One page of a newest-first list read with one extra row to know whether another page follows. */
export function idPage<T extends { id: number }, V>(rows: readonly T[], limit: number, view: (row: T) => V): { items: V[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { items: page.map(view), nextCursor: rows.length > limit && page.length ? encodeIdCursor(page.at(-1)!.id) : null };
}
