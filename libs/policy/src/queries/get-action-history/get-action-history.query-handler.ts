import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore, serializeEvent } from '@app/event-store';
import { DomainError, evolveAction, type ActionEvent, type ActionState } from '../../domain';
import { actionStream } from '../../streams';
import { GetActionHistoryQuery, type ActionHistory, type FieldChange } from './get-action-history.query';

/** The fields of the action an event changed, each with its value before and after. */
function fieldChanges(before: ActionState, after: ActionState): FieldChange[] {
  if (!after) return [];
  const old: Record<string, unknown> = before ?? {};
  return Object.entries(after)
    .filter(([field, value]) => field !== 'id' && JSON.stringify(old[field] ?? null) !== JSON.stringify(value ?? null))
    .map(([field, value]) => ({ field, before: old[field] ?? null, after: value ?? null }));
}

@QueryHandler(GetActionHistoryQuery)
export class GetActionHistoryHandler implements IQueryHandler<GetActionHistoryQuery, ActionHistory> {
  constructor(private readonly store: EventStore) {}

  async execute({ actionId }: GetActionHistoryQuery): Promise<ActionHistory> {
    const events = await this.store.readStream(actionStream(actionId));
    if (events.length === 0) throw new DomainError('ACTION.UNKNOWN', `no action ${actionId}`, { details: { actionId } });
    // Folded here with the domain's own evolve, so a reader (the console's history) sees what
    // each event did to the action without knowing the rules of every event type.
    let state: ActionState = null;
    return {
      actionId,
      events: events.map(serializeEvent).map((e) => {
        const before = state;
        state = evolveAction(state, e as unknown as ActionEvent);
        return {
        version: e.streamVersion,
        position: e.position,
        type: e.type,
        recordedAt: e.recordedAt,
        data: e.data,
        // Who and why; the idempotency key stays private to the caller who sent it.
        metadata: { actor: e.metadata.actor, correlationId: e.metadata.correlationId, causationId: e.metadata.causationId },
        changes: fieldChanges(before, state),
      };
      }),
    };
  }
}
