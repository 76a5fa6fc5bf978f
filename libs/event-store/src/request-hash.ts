import { createHash } from 'node:crypto';
import type { StreamAppend } from './types';

/**
 * JSON with object keys sorted at every depth, so that equal payloads hash equally whatever
 * their key order. For values that came out of JSON this is RFC 8785 (JCS): keys in UTF-16
 * code unit order (what sort() does), strings and numbers as JSON.stringify writes them, no
 * whitespace. The ledger's head statement is signed over it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object' || value instanceof Date) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(object).sort()) {
    const item = object[key];
    if (item === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
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
