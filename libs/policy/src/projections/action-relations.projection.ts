import type { Projection, StoredEvent } from '@app/event-store';
import { policyDb } from '../database';
import type { ActionLinked, ActionProposed, ActionRecorded, DuplicateAbsorbed } from '../domain';
import { ActionRepository, type RelationRowInput } from '../repositories/action.repository';

// A merge moves the duplicate's links to the survivor: DuplicateAbsorbed adds them from there.
type RelationEvent = ActionRecorded | ActionProposed | ActionLinked | DuplicateAbsorbed;
const RELATION_EVENT_TYPES: readonly string[] = [
  'ActionRecorded',
  'ActionProposed',
  'ActionLinked',
  'DuplicateAbsorbed',
] satisfies RelationEvent['type'][];

/** The links these events add to the graph (none for most corrections and status changes). */
export function linksIn(events: readonly StoredEvent[]): RelationRowInput[] {
  return events.flatMap((e) => {
    if (!RELATION_EVENT_TYPES.includes(e.type)) return [];
    const event = { type: e.type, data: e.data } as RelationEvent;
    const links = event.type === 'ActionLinked' ? [event.data] : event.data.relations;
    return links.map((l) => ({ sourceId: event.data.actionId, relation: l.relation, targetId: l.targetId, recordedAt: e.recordedAt }));
  });
}

/**
 * The graph of links between actions, readable from either end ("what responded to this
 * order?"). Asynchronous: it runs from its checkpoint in the API or the worker, and a write
 * that adds a link waits for it (ProjectionRunner.waitFor) before it answers.
 */
export const actionRelationsProjection: Projection = {
  name: 'action-relations',
  eventTypes: RELATION_EVENT_TYPES,
  tables: ['action_relations'],
  async handle(trx, events) {
    await new ActionRepository(policyDb(trx)).addRelations(linksIn(events));
  },
};
