/** Stream naming: one stream per aggregate, prefixed by its kind. */
export const jurisdictionStream = (id: string) => `jurisdiction-${id}`;
export const actionStream = (id: string) => `action-${id}`;

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
