import { sql, type Transaction } from 'kysely';
import type { Projection, StoredEvent } from '@app/event-store';
import type { ActionLinked, ActionProposed, ActionRecorded } from '../domain';

type RelationEvent = ActionRecorded | ActionProposed | ActionLinked;

/**
 * The graph of links between actions, readable from either end ("what responded to this
 * order?"). Asynchronous: it runs from its checkpoint in the API or the worker, and writers
 * wait for it (ProjectionRunner.waitFor) before they answer.
 */
export const actionRelationsProjection: Projection = {
  name: 'action-relations',
  eventTypes: ['ActionRecorded', 'ActionProposed', 'ActionLinked'],
  tables: ['action_relations'],
  async handle(trx: Transaction<any>, events: StoredEvent[]) {
    const rows = events.flatMap((e) => {
      const event = { type: e.type, data: e.data } as RelationEvent;
      const links = event.type === 'ActionLinked' ? [event.data] : event.data.relations;
      return links.map((l) => ({
        source_id: event.data.actionId,
        relation: l.relation,
        target_id: l.targetId,
        recorded_at: e.recordedAt.toISOString(),
      }));
    });
    if (rows.length === 0) return;
    await sql`
      INSERT INTO action_relations (source_id, relation, target_id, recorded_at)
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS r(source_id text, relation text, target_id text, recorded_at timestamptz)
      ON CONFLICT DO NOTHING`.execute(trx);
  },
};
