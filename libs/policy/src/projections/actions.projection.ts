import type { Projection } from '@app/event-store';
import { policyDb } from '../database';
import {
  ACTION_EVENT_TYPES,
  evolveAction,
  partialDateStart,
  type ActionEvent,
  type ActionState,
  type PolicyAction,
} from '../domain';
import { ActionSearchRepository, searchRowOf, searchWords, type SearchRowInput } from '../repositories/action-search.repository';
import { ActionRepository } from '../repositories/action.repository';
import { TimelineRepository, type TimelineRowInput } from '../repositories/timeline.repository';

interface Snapshot {
  state: PolicyAction;
  version: number;
  at: Date;
}

interface Known {
  state: ActionState;
  version: number;
  firstPosition: number;
  recordedAt: Date | null;
}

/**
 * Action detail, the bitemporal timeline and the search rows, updated in the append's
 * transaction. A batch is grouped per action and written with a handful of set-based
 * statements, so bulk loads and rebuilds stay fast.
 */
export const actionsProjection: Projection = {
  name: 'actions',
  eventTypes: ACTION_EVENT_TYPES,
  tables: ['actions', 'timeline_entries', 'action_search'],
  async handle(trx, events) {
    const db = policyDb(trx);
    const actions = new ActionRepository(db);
    // An action whose first event here creates it is new: nothing to load (a batch of
    // creates, the common write, then reads nothing).
    const earlier = new Set<string>();
    const seen = new Set<string>();
    for (const e of events) {
      const id = (e.data as { actionId: string }).actionId;
      if (!seen.has(id) && e.type !== 'ActionRecorded' && e.type !== 'ActionProposed') earlier.add(id);
      seen.add(id);
    }
    const stored = await actions.findMany([...earlier]);
    const known = new Map<string, Known>(
      [...stored].map(([id, a]) => [id, { state: a.state, version: a.version, firstPosition: a.firstPosition, recordedAt: a.recordedAt }]),
    );

    // Fold each action's new events, keeping one snapshot per recorded instant.
    const snapshots = new Map<string, Snapshot[]>();
    for (const event of events) {
      const id = (event.data as { actionId: string }).actionId;
      const k = known.get(id) ?? { state: null, version: 0, firstPosition: event.position, recordedAt: null };
      k.state = evolveAction(k.state, { type: event.type, data: event.data } as ActionEvent);
      k.version = event.streamVersion;
      k.recordedAt ??= event.recordedAt;
      known.set(id, k);
      const list = snapshots.get(id) ?? [];
      if (list.at(-1)?.at.getTime() === event.recordedAt.getTime()) list.pop();
      list.push({ state: k.state!, version: k.version, at: event.recordedAt });
      snapshots.set(id, list);
    }

    const timelineRows: TimelineRowInput[] = [];
    const since: { actionId: string; at: Date }[] = [];
    for (const [id, list] of snapshots) {
      const k = known.get(id)!;
      // An action new to the table has no timeline rows yet: nothing to close (a create, the
      // common write, saves two statements).
      if (stored.has(id)) since.push({ actionId: id, at: list[0].at });
      list.forEach((snap, i) => timelineRows.push(...timelineRowsOf(snap, k.firstPosition, list[i + 1]?.at ?? null)));
    }
    await new TimelineRepository(db).supersede(since, timelineRows);
    // A search row is written only when a searchable part changed (not for a link or an
    // untitled source), and its vector recomputed only when its words did: a new action, a
    // correction of the text, a titled source; a publication only sets the status.
    const indexed: SearchRowInput[] = [];
    const retagged: SearchRowInput[] = [];
    for (const id of snapshots.keys()) {
      const row = searchRowOf(known.get(id)!.state!);
      const before = stored.get(id) && searchRowOf(stored.get(id)!.state);
      if (!before || searchWords(before) !== searchWords(row)) indexed.push(row);
      else if (JSON.stringify(before) !== JSON.stringify(row)) retagged.push(row);
    }
    const search = new ActionSearchRepository(db);
    await search.index(indexed);
    await search.setAttributes(retagged);
    await actions.upsert(
      [...snapshots].map(([id, list]) => {
        const k = known.get(id)!;
        return {
          state: k.state!,
          version: k.version,
          occurredOn: partialDateStart(k.state!.occurredOn),
          firstPosition: k.firstPosition,
          recordedAt: k.recordedAt!,
          updatedAt: list.at(-1)!.at,
        };
      }),
    );
  },
};

/**
 * One row per jurisdiction the action sits on directly: its acting and affected ones. Each
 * snapshot's row names its own acting jurisdiction (whose level the repository looks up): a
 * batch (a rebuild, an import) may hold an action before and after a correction moved it.
 */
function timelineRowsOf(snap: Snapshot, firstPosition: number, until: Date | null): TimelineRowInput[] {
  const s = snap.state;
  const onTimelines = new Set([s.actingJurisdictionId, ...s.affectedJurisdictionIds]);
  return [...onTimelines].map((jurisdictionId) => ({
    actionId: s.id,
    jurisdictionId,
    isActing: jurisdictionId === s.actingJurisdictionId,
    isAffected: s.affectedJurisdictionIds.includes(jurisdictionId),
    kind: s.kind,
    title: s.title,
    status: s.status,
    occurredOn: partialDateStart(s.occurredOn),
    precision: s.occurredOn.precision,
    actingJurisdictionId: s.actingJurisdictionId,
    relations: s.relations,
    sourceCount: s.sources.length,
    firstPosition,
    recordedFrom: snap.at,
    recordedTo: until,
  }));
}
