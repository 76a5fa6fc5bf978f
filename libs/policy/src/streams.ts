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
  idempotencyKey?: string;
}

/** The metadata of the events a command appends. */
export function eventMetadata(meta: CommandMeta): Record<string, unknown> {
  return { actor: meta.actor, correlationId: meta.correlationId, causationId: meta.causationId };
}
