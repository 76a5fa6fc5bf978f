import { createHash } from 'node:crypto';
import type { StreamAppend } from './types';

/** JSON with object keys sorted at every depth, so that equal payloads hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What makes two appends "the same request" for idempotency: streams, expectations, event
 * types and data. Metadata is left out on purpose: a retry carries a new correlation id.
 */
export function appendRequestHash(appends: readonly StreamAppend[]): string {
  const essence = appends.map((a) => ({
    streamId: a.streamId,
    expectedVersion: a.expectedVersion,
    events: a.events.map((e) => ({ type: e.type, schemaVersion: e.schemaVersion ?? 1, data: e.data })),
  }));
  return createHash('sha256').update(canonicalJson(essence)).digest('hex');
}
