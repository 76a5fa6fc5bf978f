import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore, serializeEvent } from '@app/event-store';
import { DomainError } from '../../domain';
import { actionStream } from '../../streams';
import { GetActionHistoryQuery, type ActionHistory } from './get-action-history.query';

@QueryHandler(GetActionHistoryQuery)
export class GetActionHistoryHandler implements IQueryHandler<GetActionHistoryQuery, ActionHistory> {
  constructor(private readonly store: EventStore) {}

  async execute({ actionId }: GetActionHistoryQuery): Promise<ActionHistory> {
    const events = await this.store.readStream(actionStream(actionId));
    if (events.length === 0) throw new DomainError('ACTION.UNKNOWN', `no action ${actionId}`, { details: { actionId } });
    return {
      actionId,
      events: events.map(serializeEvent).map((e) => ({
        version: e.streamVersion,
        position: e.position,
        type: e.type,
        recordedAt: e.recordedAt,
        data: e.data,
        // Who and why; the idempotency key stays private to the caller who sent it.
        metadata: { actor: e.metadata.actor, correlationId: e.metadata.correlationId, causationId: e.metadata.causationId },
      })),
    };
  }
}
