import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore, encodeCheckpoint, serializeEvent } from '@app/event-store';
import { withClientIdempotencyKey } from '../../streams';
import { ReadEventsQuery, type EventsPage } from './read-events.query';

@QueryHandler(ReadEventsQuery)
export class ReadEventsHandler implements IQueryHandler<ReadEventsQuery, EventsPage> {
  constructor(private readonly store: EventStore) {}

  async execute({ after, limit, filters }: ReadEventsQuery): Promise<EventsPage> {
    // From the end: nothing to read yet, only the cursor a follower polls from.
    if (after === 'latest') return { items: [], nextCursor: encodeCheckpoint(await this.store.head()), caughtUp: true };
    const page = await this.store.readAll({ after, limit, types: filters.types, streamPrefix: filters.streamPrefix });
    return {
      // The cursor carries where the reader is; a transaction id is the store's business.
      items: page.events.map((e) => {
        const { transactionId: _, ...item } = serializeEvent(e);
        return { ...item, metadata: withClientIdempotencyKey(item.metadata) };
      }),
      nextCursor: page.checkpoint,
      caughtUp: page.caughtUp,
    };
  }
}
