import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore, serializeEvent } from '@app/event-store';
import { ReadEventsQuery, type EventsPage } from './read-events.query';

@QueryHandler(ReadEventsQuery)
export class ReadEventsHandler implements IQueryHandler<ReadEventsQuery, EventsPage> {
  constructor(private readonly store: EventStore) {}

  async execute({ after, limit }: ReadEventsQuery): Promise<EventsPage> {
    const page = await this.store.readAll({ after, limit });
    return {
      // The cursor carries where the reader is; a transaction id is the store's business.
      items: page.events.map((e) => {
        const { transactionId: _, ...item } = serializeEvent(e);
        return item;
      }),
      nextCursor: page.checkpoint,
      caughtUp: page.caughtUp,
    };
  }
}
