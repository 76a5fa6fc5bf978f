import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { sql } from 'kysely';
import { EventStore } from '@app/event-store';
import { DomainError, type PolicyAction } from '../domain';
import { actionStream } from '../streams';
import { GetActionHistoryQuery, GetActionQuery } from './action.query';

export interface ActionDetail extends PolicyAction {
  version: number;
  recordedAt: string;
  updatedAt: string;
  /** Links from other actions to this one. */
  incoming: { relation: string; sourceId: string }[];
}

const unknownAction = (id: string) =>
  new DomainError('ACTION.UNKNOWN', `no action ${id}`, { details: { actionId: id } });

@QueryHandler(GetActionQuery)
export class GetActionHandler implements IQueryHandler<GetActionQuery, ActionDetail> {
  constructor(private readonly store: EventStore) {}

  async execute({ actionId }: GetActionQuery): Promise<ActionDetail> {
    const { rows } = await sql<{ state: PolicyAction; version: number; recorded_at: Date; updated_at: Date }>`
      SELECT state, version, recorded_at, updated_at FROM actions WHERE id = ${actionId}`.execute(this.store.db);
    if (!rows[0]) throw unknownAction(actionId);
    const { rows: incoming } = await sql<{ relation: string; source_id: string }>`
      SELECT relation, source_id FROM action_relations
       WHERE target_id = ${actionId} ORDER BY recorded_at, source_id`.execute(this.store.db);
    const row = rows[0];
    return {
      ...row.state,
      version: row.version,
      recordedAt: row.recorded_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      incoming: incoming.map((i) => ({ relation: i.relation, sourceId: i.source_id })),
    };
  }
}

export interface ActionHistoryEntry {
  version: number;
  position: number;
  type: string;
  recordedAt: string;
  data: unknown;
  metadata: { actor?: string; correlationId?: string; causationId?: string };
}

@QueryHandler(GetActionHistoryQuery)
export class GetActionHistoryHandler implements IQueryHandler<GetActionHistoryQuery, { actionId: string; events: ActionHistoryEntry[] }> {
  constructor(private readonly store: EventStore) {}

  async execute({ actionId }: GetActionHistoryQuery) {
    const events = await this.store.readStream(actionStream(actionId));
    if (events.length === 0) throw unknownAction(actionId);
    return {
      actionId,
      events: events.map((e) => ({
        version: e.streamVersion,
        position: e.position,
        type: e.type,
        recordedAt: e.recordedAt.toISOString(),
        data: e.data,
        metadata: { actor: e.metadata.actor, correlationId: e.metadata.correlationId, causationId: e.metadata.causationId },
      })),
    };
  }
}
