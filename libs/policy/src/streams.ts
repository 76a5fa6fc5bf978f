import { ACTION_EVENT_TYPES } from './domain';

/** Stream naming: one stream per aggregate, prefixed by its kind. */
export const jurisdictionStream = (id: string) => `jurisdiction-${id}`;
export const actionStream = (id: string) => `action-${id}`;

/** The kinds' prefixes: every stream id starts with one. */
export const STREAM_PREFIXES = ['action-', 'jurisdiction-'] as const;

/** Every event type the policy context writes. */
export const POLICY_EVENT_TYPES = [...ACTION_EVENT_TYPES, 'JurisdictionRegistered'] as const;

/** Who asked, for the events' metadata. */
export interface CommandMeta {
  actor?: string;
  /** The piece of work this command belongs to (one request, or a caller's whole workflow). */
  correlationId?: string;
  /** The message that caused it: for an HTTP command, the request's id. */
  causationId?: string;
  /** As stored: namespaced by the caller who sent it (see scopedIdempotencyKey). */
  idempotencyKey?: string;
}

/**
 * An Idempotency-Key as stored: prefixed with the caller who sent it, so a second caller
 * sending the same key makes its own request instead of receiving the first caller's answer,
 * while the same caller's retry still meets its earlier one.
 */
export const scopedIdempotencyKey = (actor: string, key: string): string => `${actor}:${key}`;

/**
 * Event metadata as readers see it: the idempotency key as its sender wrote it, without the
 * caller's prefix (the actor is named beside it already). Keys stored before scoping carry no
 * prefix and are shown as they are.
 */
export function withClientIdempotencyKey<M extends Record<string, unknown>>(metadata: M): M {
  const { actor, idempotencyKey } = metadata;
  if (typeof actor !== 'string' || typeof idempotencyKey !== 'string' || !idempotencyKey.startsWith(`${actor}:`)) return metadata;
  return { ...metadata, idempotencyKey: idempotencyKey.slice(actor.length + 1) };
}

/** The metadata of the events a command appends. */
export function eventMetadata(meta: CommandMeta): Record<string, unknown> {
  return { actor: meta.actor, correlationId: meta.correlationId, causationId: meta.causationId };
}
