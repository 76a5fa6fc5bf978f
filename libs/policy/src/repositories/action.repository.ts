import { sql, type Kysely, type Selectable } from 'kysely';
import { PREPARE } from '@app/db/connection';
import type { ActionKind, ActionStatus, PolicyAction, Relation } from '../domain';
import type { ActionsTable, PolicyDatabase } from '../database';
import { escapeLike, idIn } from './sql';

/** An action's current state with what the ledger knows of its life. */
export interface StoredAction {
  state: PolicyAction;
  version: number;
  /** Position of its first event: ties on a date are broken by it. */
  firstPosition: number;
  recordedAt: Date;
  updatedAt: Date;
}

/** A link from another action to this one. */
export interface IncomingLink {
  relation: Relation['relation'];
  sourceId: string;
}

/** An action row as the projection writes it; the columns beside `state` are its indexable parts. */
export interface ActionRowInput extends StoredAction {
  occurredOn: string;
}


export interface ActionListSelection {
  statuses?: readonly ActionStatus[];
  kinds?: readonly ActionKind[];
  sourceSystem?: string;
  jurisdictionId?: string;
  /** Part of the title, any case, matched literally (no wildcards). */
  titleContains?: string;
  /** Only actions first recorded before the one at this position (the previous page's last). */
  beforePosition?: number;
  take: number;
}

/** Published actions of one kind that occurred near a day: the candidates for a duplicate. */
export interface NearbySelection {
  kind: ActionKind;
  /** The day, 'YYYY-MM-DD' (the `occurred_on` of the action they are compared with). */
  occurredOn: string;
  /** At most this many days before or after it. */
  days: number;
  /** Left out: the action they are compared with. */
  excludeId: string;
  take: number;
}

/** An action near the day asked about, and how many days from it (0 or more). */
export interface NearbyAction extends StoredAction {
  daysApart: number;
}

export interface RelationRowInput {
  sourceId: string;
  relation: Relation['relation'];
  targetId: string;
  recordedAt: Date;
}

type ActionRow = Pick<Selectable<ActionsTable>, 'state' | 'version' | 'first_position' | 'recorded_at' | 'updated_at'>;

function storedAction(r: ActionRow): StoredAction {
  // States written before suggested corrections (or merges) existed have no such field.
  const state = { ...r.state, suggestion: r.state.suggestion ?? null, mergedInto: r.state.mergedInto ?? null };
  return { state, version: r.version, firstPosition: r.first_position, recordedAt: r.recorded_at, updatedAt: r.updated_at };
}

/** The `actions` read table (current state per action) and the `action_relations` graph. */
export class ActionRepository {
  constructor(private readonly db: Kysely<PolicyDatabase>) {}

  /** The ids among `ids` that name no action. */
  async missing(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = new Set((await this.db.selectFrom('actions').select('id').where(idIn(ids)).execute()).map((r) => r.id));
    return ids.filter((id) => !found.has(id));
  }

  async find(id: string): Promise<StoredAction | null> {
    return (await this.findMany([id])).get(id) ?? null;
  }

  async findMany(ids: readonly string[]): Promise<Map<string, StoredAction>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('actions')
      .modifyFront(sql.raw(PREPARE))
      .select(['id', 'state', 'version', 'first_position', 'recorded_at', 'updated_at'])
      .where(idIn(ids))
      .execute();
    return new Map(rows.map((r) => [r.id, storedAction(r)]));
  }

  /**
   * Actions newest first, by status, kind, source system and jurisdiction. Ordered by the
   * position of their first event: unique and in the order they were recorded, so a page
   * boundary never hides or repeats an action (a timestamp can tie, and loses microseconds in JS).
   */
  async list(s: ActionListSelection): Promise<StoredAction[]> {
    const rows = await this.db
      .selectFrom('actions')
      .select(['id', 'state', 'version', 'first_position', 'recorded_at', 'updated_at'])
      .$if(!!s.statuses?.length, (q) => q.where('status', 'in', s.statuses!))
      .$if(!!s.kinds?.length, (q) => q.where('kind', 'in', s.kinds!))
      .$if(s.sourceSystem !== undefined, (q) => q.where(sql<boolean>`state->'proposal'->>'sourceSystem' = ${s.sourceSystem!}`))
      .$if(s.jurisdictionId !== undefined, (q) =>
        q.where((eb) =>
          eb.or([eb('acting_jurisdiction_id', '=', s.jurisdictionId!), sql<boolean>`${s.jurisdictionId!} = ANY(affected_jurisdiction_ids)`]),
        ),
      )
      .$if(!!s.titleContains, (q) => q.where(sql<boolean>`title ILIKE ${`%${escapeLike(s.titleContains!)}%`}`))
      .$if(s.beforePosition !== undefined, (q) => q.where('first_position', '<', s.beforePosition!))
      .orderBy('first_position', 'desc')
      .limit(s.take)
      .execute();
    return rows.map(storedAction);
  }

  /**
   * The next `take` actions after `afterPosition` in the order they were first recorded (the
   * position of their first event: unique and never reused), so an export read in batches sees
   * each action once however long it runs, and an action recorded meanwhile lands at its end.
   */
  async exportBatch(s: { statuses?: readonly ActionStatus[]; afterPosition: number; take: number }): Promise<StoredAction[]> {
    const rows = await this.db
      .selectFrom('actions')
      .modifyFront(sql.raw(PREPARE))
      .select(['id', 'state', 'version', 'first_position', 'recorded_at', 'updated_at'])
      .where('first_position', '>', s.afterPosition)
      .$if(!!s.statuses?.length, (q) => q.where(sql<boolean>`status = ANY(${s.statuses as ActionStatus[]}::text[])`))
      .orderBy('first_position')
      .limit(s.take)
      .execute();
    return rows.map(storedAction);
  }

  /**
   * Published actions of a kind within `days` of a day, nearest first (ties in recording
   * order), at most `take`. Each side of the day is read nearest first from the index on
   * published (kind, occurred_on) and cut at `take`, so a crowded stretch of the calendar
   * costs no more than a quiet one.
   */
  async nearby(s: NearbySelection): Promise<NearbyAction[]> {
    const day = sql<string>`${s.occurredOn}::date`;
    const side = (earlier: boolean) =>
      this.db
        .selectFrom('actions')
        .select(['id', 'state', 'version', 'first_position', 'recorded_at', 'updated_at'])
        .select(sql<number>`abs(occurred_on - ${day})`.as('days_apart'))
        // A literal, not a parameter: the planner matches it to the partial index's predicate
        // even in a generic plan.
        .where('status', '=', sql.lit('published'))
        .where('kind', '=', s.kind)
        .where('id', '!=', s.excludeId)
        .$if(earlier, (q) =>
          q.where('occurred_on', '<=', day).where('occurred_on', '>=', sql<string>`${day} - ${s.days}::int`).orderBy('occurred_on', 'desc'),
        )
        .$if(!earlier, (q) => q.where('occurred_on', '>', day).where('occurred_on', '<=', sql<string>`${day} + ${s.days}::int`).orderBy('occurred_on'))
        .orderBy('first_position')
        .limit(s.take);
    const rows = await this.db
      .selectFrom(side(true).as('earlier'))
      .selectAll()
      .unionAll(this.db.selectFrom(side(false).as('later')).selectAll())
      .orderBy('days_apart')
      .orderBy('first_position')
      .limit(s.take)
      .execute();
    return rows.map((r) => ({ ...storedAction(r), daysApart: r.days_apart }));
  }

  /** Links from other actions to this one, oldest first. */
  async incomingLinks(id: string): Promise<IncomingLink[]> {
    const rows = await this.db
      .selectFrom('action_relations')
      .select(['relation', 'source_id'])
      .where('target_id', '=', id)
      .orderBy('recorded_at')
      .orderBy('source_id')
      .execute();
    return rows.map((r) => ({ relation: r.relation, sourceId: r.source_id }));
  }

  /** Inserts or replaces each action's row (projection). */
  async upsert(actions: readonly ActionRowInput[]): Promise<void> {
    if (actions.length === 0) return;
    const json = actions.map((a) => ({
      id: a.state.id,
      version: a.version,
      status: a.state.status,
      kind: a.state.kind,
      title: a.state.title,
      occurred_on: a.occurredOn,
      precision: a.state.occurredOn.precision,
      acting_jurisdiction_id: a.state.actingJurisdictionId,
      affected_jurisdiction_ids: a.state.affectedJurisdictionIds,
      state: a.state,
      first_position: a.firstPosition,
      recorded_at: a.recordedAt.toISOString(),
      updated_at: a.updatedAt.toISOString(),
    }));
    // A batch of any size in one statement: bulk loads and rebuilds stay fast.
    await sql`${sql.raw(PREPARE)}
      INSERT INTO actions (id, version, status, kind, title, occurred_on, precision, acting_jurisdiction_id,
        affected_jurisdiction_ids, state, first_position, recorded_at, updated_at)
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(json)}::jsonb) AS r(id text, version integer,
        status text, kind text, title text, occurred_on date, precision text, acting_jurisdiction_id text,
        affected_jurisdiction_ids text[], state jsonb, first_position bigint, recorded_at timestamptz,
        updated_at timestamptz)
      ON CONFLICT (id) DO UPDATE SET version = excluded.version, status = excluded.status, kind = excluded.kind,
        title = excluded.title, occurred_on = excluded.occurred_on, precision = excluded.precision,
        acting_jurisdiction_id = excluded.acting_jurisdiction_id,
        affected_jurisdiction_ids = excluded.affected_jurisdiction_ids, state = excluded.state,
        updated_at = excluded.updated_at`.execute(this.db);
  }

  /** Adds links to the graph; a link already there stays as first recorded (projection). */
  async addRelations(relations: readonly RelationRowInput[]): Promise<void> {
    if (relations.length === 0) return;
    const json = relations.map((r) => ({
      source_id: r.sourceId,
      relation: r.relation,
      target_id: r.targetId,
      recorded_at: r.recordedAt.toISOString(),
    }));
    await sql`
      INSERT INTO action_relations (source_id, relation, target_id, recorded_at)
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(json)}::jsonb)
        AS r(source_id text, relation text, target_id text, recorded_at timestamptz)
      ON CONFLICT DO NOTHING`.execute(this.db);
  }
}
