import { sql, type Transaction } from 'kysely';
import type { InlineProjection, StoredEvent } from '@app/event-store';
import {
  ACTION_EVENT_TYPES,
  evolveAction,
  partialDateStart,
  type ActionEvent,
  type ActionState,
  type PolicyAction,
} from '../domain';

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
 * Action detail and the bitemporal timeline, updated in the append's transaction. A batch
 * is grouped per action and written with a handful of set-based statements, so bulk loads
 * and rebuilds stay fast.
 */
export const actionsProjection: InlineProjection = {
  name: 'actions',
  eventTypes: ACTION_EVENT_TYPES,
  tables: ['actions', 'timeline_entries'],
  async handle(trx: Transaction<any>, events: StoredEvent[]) {
    const ids = [...new Set(events.map((e) => (e.data as { actionId: string }).actionId))];
    const known = await loadKnown(trx, ids);

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

    // Every snapshot's acting jurisdiction, not only the latest: a batch (a rebuild, an import)
    // may hold an action before and after a correction moved it to another jurisdiction.
    const actingIds = [...new Set([...snapshots.values()].flat().map((snap) => snap.state.actingJurisdictionId))];
    const { rows: levels } = await sql<{ id: string; level: string }>`
      SELECT id, level FROM jurisdictions WHERE id = ANY(${actingIds}::text[])`.execute(trx);
    const levelOf = new Map(levels.map((r) => [r.id, r.level]));

    const timelineRows: unknown[] = [];
    const actionRows: unknown[] = [];
    const firstInstants: { id: string; at: string }[] = [];
    for (const [id, list] of snapshots) {
      const k = known.get(id)!;
      firstInstants.push({ id, at: list[0].at.toISOString() });
      list.forEach((snap, i) => {
        const until = list[i + 1]?.at.toISOString() ?? null;
        for (const row of timelineRowsOf(snap, k.firstPosition, levelOf)) {
          timelineRows.push({ ...row, recorded_from: snap.at.toISOString(), recorded_to: until });
        }
      });
      const s = k.state!;
      actionRows.push({
        id,
        version: k.version,
        status: s.status,
        kind: s.kind,
        title: s.title,
        occurred_on: partialDateStart(s.occurredOn),
        precision: s.occurredOn.precision,
        acting_jurisdiction_id: s.actingJurisdictionId,
        affected_jurisdiction_ids: s.affectedJurisdictionIds,
        state: s,
        first_position: k.firstPosition,
        recorded_at: k.recordedAt!.toISOString(),
        updated_at: list.at(-1)!.at.toISOString(),
      });
    }

    const instants = JSON.stringify(firstInstants);
    // Rows written earlier in this same instant (same transaction) are replaced, not closed:
    // a zero-length version would never be visible to anyone.
    await sql`
      DELETE FROM timeline_entries t USING jsonb_to_recordset(${instants}::jsonb) AS u(id text, at timestamptz)
       WHERE t.action_id = u.id AND t.recorded_to IS NULL AND t.recorded_from = u.at`.execute(trx);
    await sql`
      UPDATE timeline_entries t SET recorded_to = u.at
        FROM jsonb_to_recordset(${instants}::jsonb) AS u(id text, at timestamptz)
       WHERE t.action_id = u.id AND t.recorded_to IS NULL`.execute(trx);
    await sql`
      INSERT INTO timeline_entries (action_id, jurisdiction_id, is_acting, is_affected, kind, title, status,
        occurred_on, precision, acting_jurisdiction_id, acting_level, relations, source_count, first_position,
        recorded_from, recorded_to)
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(timelineRows)}::jsonb) AS r(action_id text,
        jurisdiction_id text, is_acting boolean, is_affected boolean, kind text, title text, status text,
        occurred_on date, precision text, acting_jurisdiction_id text, acting_level text, relations jsonb,
        source_count integer, first_position bigint, recorded_from timestamptz, recorded_to timestamptz)`.execute(trx);
    await sql`
      INSERT INTO actions (id, version, status, kind, title, occurred_on, precision, acting_jurisdiction_id,
        affected_jurisdiction_ids, state, first_position, recorded_at, updated_at)
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(actionRows)}::jsonb) AS r(id text, version integer,
        status text, kind text, title text, occurred_on date, precision text, acting_jurisdiction_id text,
        affected_jurisdiction_ids text[], state jsonb, first_position bigint, recorded_at timestamptz,
        updated_at timestamptz)
      ON CONFLICT (id) DO UPDATE SET version = excluded.version, status = excluded.status, kind = excluded.kind,
        title = excluded.title, occurred_on = excluded.occurred_on, precision = excluded.precision,
        acting_jurisdiction_id = excluded.acting_jurisdiction_id,
        affected_jurisdiction_ids = excluded.affected_jurisdiction_ids, state = excluded.state,
        updated_at = excluded.updated_at`.execute(trx);
  },
};

async function loadKnown(trx: Transaction<any>, ids: string[]): Promise<Map<string, Known>> {
  const { rows } = await sql<{ id: string; state: PolicyAction; version: number; first_position: number; recorded_at: Date }>`
    SELECT id, state, version, first_position, recorded_at FROM actions WHERE id = ANY(${ids}::text[])`.execute(trx);
  return new Map(
    rows.map((r) => [r.id, { state: r.state, version: r.version, firstPosition: r.first_position, recordedAt: r.recorded_at }]),
  );
}

/** One row per jurisdiction the action sits on directly: its acting and affected ones. */
function timelineRowsOf(snap: Snapshot, firstPosition: number, levelOf: Map<string, string>) {
  const s = snap.state;
  const onTimelines = new Set([s.actingJurisdictionId, ...s.affectedJurisdictionIds]);
  return [...onTimelines].map((jurisdictionId) => ({
    action_id: s.id,
    jurisdiction_id: jurisdictionId,
    is_acting: jurisdictionId === s.actingJurisdictionId,
    is_affected: s.affectedJurisdictionIds.includes(jurisdictionId),
    kind: s.kind,
    title: s.title,
    status: s.status,
    occurred_on: partialDateStart(s.occurredOn),
    precision: s.occurredOn.precision,
    acting_jurisdiction_id: s.actingJurisdictionId,
    acting_level: levelOf.get(s.actingJurisdictionId) ?? 'unknown',
    relations: s.relations,
    source_count: s.sources.length,
    first_position: firstPosition,
  }));
}
