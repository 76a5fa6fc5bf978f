/** Stream naming: one stream per aggregate, prefixed by its kind. */
export const jurisdictionStream = (id: string) => `jurisdiction-${id}`;
export const actionStream = (id: string) => `action-${id}`;

/** Who asked, for the events' metadata. */
export interface CommandMeta {
  actor?: string;
  correlationId?: string;
  idempotencyKey?: string;
}
