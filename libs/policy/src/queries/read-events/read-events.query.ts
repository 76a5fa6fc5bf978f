import { z } from 'zod';

/** The commit-ordered feed downstream systems follow, a page after a cursor ('latest': the end of the log). */
export class ReadEventsQuery {
  constructor(
    readonly after: string | undefined,
    readonly limit: number,
    readonly filters: { types?: readonly string[]; streamPrefix?: string } = {},
  ) {}
}

export const feedEventSchema = z
  .strictObject({
    position: z.int().min(1).meta({ description: 'its place in the whole log' }),
    streamId: z.string().meta({ description: "the stream it belongs to: 'action-<id>' or 'jurisdiction-<id>'" }),
    streamVersion: z.int().min(1),
    type: z.string(),
    schemaVersion: z.int().min(1),
    data: z.unknown().meta({ description: "the event's data, as its type and schemaVersion define it" }),
    metadata: z
      .looseObject({
        actor: z.string().optional(),
        correlationId: z.string().optional(),
        causationId: z.string().optional(),
        idempotencyKey: z.string().optional(),
      })
      .meta({ description: 'who wrote it and why; writers may add keys' }),
    recordedAt: z.string(),
  })
  .meta({ id: 'FeedEvent' });

export const eventsPageSchema = z
  .strictObject({
    items: z.array(feedEventSchema),
    nextCursor: z.string().meta({ description: 'the `after` of the next read; where a follower waits once caught up' }),
    caughtUp: z.boolean().meta({ description: 'true when this read reached the end of what is safely readable now' }),
  })
  .meta({ id: 'EventsPage' });

export type FeedEvent = z.output<typeof feedEventSchema>;
export type EventsPage = z.output<typeof eventsPageSchema>;
