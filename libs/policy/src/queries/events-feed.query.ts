import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';

/** The commit-ordered feed downstream systems follow. */
export class ListEventsQuery {
  constructor(readonly after: string | undefined, readonly limit: number) {}
}

@QueryHandler(ListEventsQuery)
export class ListEventsHandler implements IQueryHandler<ListEventsQuery> {
  constructor(private readonly store: EventStore) {}

  async execute({ after, limit }: ListEventsQuery) {
    const page = await this.store.readAll({ after, limit });
    return {
      items: page.events.map((e) => ({
        position: e.position,
        streamId: e.streamId,
        streamVersion: e.streamVersion,
        type: e.type,
        schemaVersion: e.schemaVersion,
        recordedAt: e.recordedAt.toISOString(),
        data: e.data,
        metadata: e.metadata,
      })),
      nextCursor: page.checkpoint,
      caughtUp: page.caughtUp,
    };
  }
}
