import { sql, type Kysely, type RawBuilder } from 'kysely';
import { PREPARE } from '@app/db/connection';
import type { ActionKind, ActionStatus, DatePrecision, JurisdictionLevel, Relation } from '../domain';
import type { PolicyDatabase } from '../database';

/** One timeline row: an action as it sits on one jurisdiction's timeline. */
export interface TimelineRow {
  actionId: string;
  /** The timeline it sits on: the jurisdiction read, its consolidated twin, or the ancestor it was inherited from. */
  jurisdictionId: string;
  /** Read from the consolidated twin's timeline (the same government under its other OCD id). */
  viaTwin: boolean;
  kind: ActionKind;
  title: string;
  status: ActionStatus;
  /** Start day, 'YYYY-MM-DD'; `precision` says how much of it is known. */
  occurredOn: string;
  precision: DatePrecision;
  actingJurisdictionId: string;
  actingLevel: JurisdictionLevel | 'unknown';
  relations: Relation[];
  sourceCount: number;
  firstPosition: number;
}

/** A row to write; the acting level is looked up as it is written. */
export interface TimelineRowInput extends Omit<TimelineRow, 'actingLevel' | 'viaTwin'> {
  isActing: boolean;
  isAffected: boolean;
  recordedFrom: Date;
  recordedTo: Date | null;
}

/** Where a page starts: after this (date, first position). */
export interface TimelineCursor {
  occurredOn: string;
  position: number;
}

export interface TimelineSelection {
  /**
   * The jurisdiction itself (with its consolidated twin, if it has one), then its ancestors
   * nearest first (empty: direct entries only).
   */
  jurisdictionId: string;
  ancestors: readonly string[];
  from?: string;
  to?: string;
  levels?: readonly JurisdictionLevel[];
  kinds?: readonly ActionKind[];
  statuses: readonly ActionStatus[];
  asOf?: Date;
  /** Only these actions (reads that already know which actions they are about). */
  actionIds?: readonly string[];
  after?: TimelineCursor;
  /** Rows to read (one more than a page, to know there is a next one). */
  take: number;
}

/** The last day of a row's period: its day, month or year. */
const periodEnd = sql`(occurred_on + CASE precision WHEN 'year' THEN interval '1 year' WHEN 'month' THEN interval '1 month' ELSE interval '1 day' END - interval '1 day')::date`;

/** A timeline row as the statement returns it (snake case). */
export interface TimelineRawRow {
  action_id: string;
  jurisdiction_id: string;
  kind: ActionKind;
  title: string;
  status: ActionStatus;
  occurred_on: string;
  precision: DatePrecision;
  acting_jurisdiction_id: string;
  acting_level: JurisdictionLevel | 'unknown';
  relations: Relation[];
  source_count: number;
  first_position: number;
  via_twin?: boolean;
}

/**
 * The timelines a selection reads, with their depth: the jurisdiction (0), its consolidated
 * twin (1), then its ancestors nearest first. The twin is looked up inside the statement (a
 * primary-key probe; when there is none the range scan on NULL is empty), so every reader of a
 * selection gets it.
 */
function timelinesOf(s: Pick<TimelineSelection, 'jurisdictionId' | 'ancestors'>): { timeline: RawBuilder<unknown>; depth: number }[] {
  return [
    { timeline: sql`${s.jurisdictionId}`, depth: 0 },
    { timeline: sql`(SELECT twin_id FROM jurisdictions WHERE id = ${s.jurisdictionId})`, depth: 1 },
    ...s.ancestors.map((id, i) => ({ timeline: sql`${id}`, depth: i + 2 })),
  ];
}

/** The selection's filters on a timeline's rows: status, the range's end, acting level and kind. */
function filtersOf(s: Pick<TimelineSelection, 'statuses' | 'to' | 'levels' | 'kinds'>): RawBuilder<unknown>[] {
  const conditions = [sql`status = ANY(${s.statuses}::text[])`];
  if (s.to) conditions.push(sql`occurred_on <= ${s.to}::date`);
  if (s.levels?.length) conditions.push(sql`acting_level = ANY(${s.levels}::text[])`);
  if (s.kinds?.length) conditions.push(sql`kind = ANY(${s.kinds}::text[])`);
  return conditions;
}

/**
 * Whether a statement built on this selection is worth preparing. The plain page (status
 * and cursor at most), by far the most read, is: planning it cost as much as running it
 * (docs/benchmarks-api.md), and its generic plan is the same index range per timeline. With
 * date, level, kind or as-of filters a generic plan can pick the wrong index (2.7 ms against
 * 0.3 ms measured), so those are planned each time.
 */
export function preparable(s: TimelineSelection): boolean {
  return !s.asOf && !s.from && !s.to && !s.levels?.length && !s.kinds?.length && !s.actionIds;
}

/**
 * The statement of one timeline page, as `TimelineRepository.page` sends it: also a subquery
 * of the reads built on timelines (a comparison's columns, a timeline at two instants), so
 * they select exactly what the timeline shows.
 */
export function timelineSql(s: TimelineSelection): RawBuilder<TimelineRawRow> {
  const conditions: RawBuilder<unknown>[] = [];
  // As-of reads every version that was current at that instant; otherwise only current rows,
  // which the partial index holds.
  conditions.push(
    s.asOf ? sql`recorded_from <= ${s.asOf} AND (recorded_to IS NULL OR recorded_to > ${s.asOf})` : sql`recorded_to IS NULL`,
  );
  conditions.push(...filtersOf(s));
  if (s.actionIds) conditions.push(sql`action_id = ANY(${s.actionIds}::text[])`);
  if (s.after) conditions.push(sql`(occurred_on, first_position) > (${s.after.occurredOn}::date, ${s.after.position}::bigint)`);
  const where = sql.join(conditions, sql` AND `);
  // A month or year is kept when any of it overlaps the range, so one that starts before
  // `from` can only start on the first day of from's month or year: two index lookups beside
  // the main range, rather than a range from the year's start filtered row by row (0.3 ms
  // against 40 ms on a 300,000-row timeline, docs/decisions.md).
  const ranges: (RawBuilder<unknown> | null)[] = s.from
    ? [
        sql`occurred_on >= ${s.from}::date`,
        sql`occurred_on = ANY(${[`${s.from.slice(0, 4)}-01-01`, `${s.from.slice(0, 7)}-01`]}::date[]) AND occurred_on < ${s.from}::date
            AND ${periodEnd} >= ${s.from}::date`,
      ]
    : [null];
  // depth 0 is the jurisdiction itself and depth 1 its twin (any role: the same government);
  // ancestors (nearest first, from depth 2) pass on only what affected them, not what they
  // merely did.
  const branch = (timeline: RawBuilder<unknown>, depth: number, range: RawBuilder<unknown> | null) => sql`
      (SELECT action_id, jurisdiction_id, kind, title, status, occurred_on::text AS occurred_on, precision,
              acting_jurisdiction_id, acting_level, relations, source_count, first_position, ${depth}::int AS depth,
              ${sql.raw(depth === 1 ? 'true' : 'false')} AS via_twin
         FROM timeline_entries
        WHERE jurisdiction_id = ${timeline} ${depth <= 1 ? sql`` : sql`AND is_affected`} AND ${where}${range ? sql` AND ${range}` : sql``}
        ORDER BY timeline_entries.occurred_on, timeline_entries.first_position
        LIMIT ${s.take})`;
  const branches = timelinesOf(s).flatMap(({ timeline, depth }) => ranges.map((range) => branch(timeline, depth, range)));
  // An action on several of these timelines appears once: directly if it is direct here,
  // else through the twin, else through the nearest ancestor.
  return sql<TimelineRawRow>`
      SELECT DISTINCT ON (occurred_on, first_position) *
        FROM (${sql.join(branches, sql` UNION ALL `)}) merged
       ORDER BY occurred_on, first_position, depth
       LIMIT ${s.take}`;
}

/**
 * The bitemporal `timeline_entries` table: one row per (action, jurisdiction it sits on
 * directly) and per version of what the ledger knew, bounded by recorded_from/recorded_to.
 */
export class TimelineRepository {
  constructor(private readonly db: Kysely<PolicyDatabase>) {}

  /**
   * A jurisdiction's timeline: its own entries, its consolidated twin's (San Francisco's
   * county: and place: ids are one government), plus its ancestors' affected ones. One index
   * range scan per timeline (its own, its twin's and each ancestor's), merged in date order by
   * Postgres (Merge Append) and cut at the page size, so a page costs the same whether the
   * federal timeline above it holds ten actions or a million.
   */
  async page(s: TimelineSelection): Promise<TimelineRow[]> {
    const { rows } = await sql<TimelineRawRow>`${sql.raw(preparable(s) ? PREPARE : '')}${timelineSql(s)}`.execute(this.db);
    return rows.map(timelineRowFromRaw);
  }

  /**
   * The entries of a timeline most recently recorded or changed (the `recorded_from` of their
   * current row), newest first, at most `take`; `after` and `asOf` are not read. Each
   * timeline's own newest rows are cut at `take` before merging: an action's rank on one
   * timeline is never worse than its rank among them all, so nothing that belongs is lost.
   */
  async recentChanges(s: Omit<TimelineSelection, 'after' | 'asOf'>): Promise<(TimelineRow & { changedAt: Date })[]> {
    const conditions: RawBuilder<unknown>[] = [sql`recorded_to IS NULL`, ...filtersOf(s)];
    if (s.from) conditions.push(sql`occurred_on >= ${s.from}::date`);
    const where = sql.join(conditions, sql` AND `);
    const branch = (timeline: RawBuilder<unknown>, depth: number) => sql`
      (SELECT action_id, jurisdiction_id, kind, title, status, occurred_on::text AS occurred_on, precision,
              acting_jurisdiction_id, acting_level, relations, source_count, first_position, recorded_from,
              ${depth}::int AS depth, ${sql.raw(depth === 1 ? 'true' : 'false')} AS via_twin
         FROM timeline_entries
        WHERE jurisdiction_id = ${timeline} ${depth <= 1 ? sql`` : sql`AND is_affected`} AND ${where}
        ORDER BY recorded_from DESC, first_position DESC
        LIMIT ${s.take})`;
    const branches = timelinesOf(s).map(({ timeline, depth }) => branch(timeline, depth));
    const { rows } = await sql<TimelineRawRow & { recorded_from: Date }>`
      SELECT * FROM (
        SELECT DISTINCT ON (action_id) * FROM (${sql.join(branches, sql` UNION ALL `)}) merged ORDER BY action_id, depth
      ) nearest
       ORDER BY recorded_from DESC, first_position DESC
       LIMIT ${s.take}`.execute(this.db);
    return rows.map((r) => ({ ...timelineRowFromRaw(r), changedAt: r.recorded_from }));
  }

  /** Published actions directly on a timeline now, counted by acting level and kind. */
  async countsOn(jurisdictionId: string): Promise<{ actingLevel: string; kind: ActionKind; n: number }[]> {
    const rows = await this.current(jurisdictionId)
      .select(['acting_level', 'kind', sql<number>`count(*)::int`.as('n')])
      .groupBy(['acting_level', 'kind'])
      .execute();
    return rows.map((r) => ({ actingLevel: r.acting_level, kind: r.kind, n: r.n }));
  }

  /** The latest published action directly on a timeline now. */
  async latestOn(jurisdictionId: string): Promise<TimelineRow | null> {
    const row = await this.current(jurisdictionId)
      .select([
        'action_id', 'jurisdiction_id', 'kind', 'title', 'status', sql<string>`occurred_on::text`.as('occurred_on'),
        'precision', 'acting_jurisdiction_id', 'acting_level', 'relations', 'source_count', 'first_position',
      ])
      // The column, not the text alias of the same name.
      .orderBy('timeline_entries.occurred_on', 'desc')
      .orderBy('timeline_entries.first_position', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? timelineRowFromRaw(row) : null;
  }

  private current(jurisdictionId: string) {
    return this.db
      .selectFrom('timeline_entries')
      .where('jurisdiction_id', '=', jurisdictionId)
      .where('recorded_to', 'is', null)
      .where('status', '=', 'published');
  }

  /**
   * Writes new versions of actions' rows (projection): for each action, its current rows are
   * closed at `since` and `rows` become current. Rows written earlier in this same instant
   * (same transaction) are replaced, not closed: a zero-length version would never be
   * visible to anyone.
   */
  async supersede(since: readonly { actionId: string; at: Date }[], rows: readonly TimelineRowInput[]): Promise<void> {
    if (since.length) {
      const instants = JSON.stringify(since.map((i) => ({ id: i.actionId, at: i.at.toISOString() })));
      await sql`${sql.raw(PREPARE)}
        DELETE FROM timeline_entries t USING jsonb_to_recordset(${instants}::jsonb) AS u(id text, at timestamptz)
         WHERE t.action_id = u.id AND t.recorded_to IS NULL AND t.recorded_from = u.at`.execute(this.db);
      await sql`${sql.raw(PREPARE)}
        UPDATE timeline_entries t SET recorded_to = u.at
          FROM jsonb_to_recordset(${instants}::jsonb) AS u(id text, at timestamptz)
         WHERE t.action_id = u.id AND t.recorded_to IS NULL`.execute(this.db);
    }
    if (rows.length === 0) return;
    const json = rows.map((r) => ({
      action_id: r.actionId,
      jurisdiction_id: r.jurisdictionId,
      is_acting: r.isActing,
      is_affected: r.isAffected,
      kind: r.kind,
      title: r.title,
      status: r.status,
      occurred_on: r.occurredOn,
      precision: r.precision,
      acting_jurisdiction_id: r.actingJurisdictionId,
      relations: r.relations,
      source_count: r.sourceCount,
      first_position: r.firstPosition,
      recorded_from: r.recordedFrom.toISOString(),
      recorded_to: r.recordedTo?.toISOString() ?? null,
    }));
    // The acting jurisdiction's level looked up here rather than read first: one round trip
    // less on every write ('unknown' if it is not registered yet). A subquery, not a join: the
    // planner cannot see how few rows jsonb_to_recordset gives and hashed the whole directory.
    await sql`${sql.raw(PREPARE)}
      INSERT INTO timeline_entries (action_id, jurisdiction_id, is_acting, is_affected, kind, title, status,
        occurred_on, precision, acting_jurisdiction_id, acting_level, relations, source_count, first_position,
        recorded_from, recorded_to)
      SELECT r.action_id, r.jurisdiction_id, r.is_acting, r.is_affected, r.kind, r.title, r.status, r.occurred_on,
             r.precision, r.acting_jurisdiction_id,
             coalesce((SELECT j.level FROM jurisdictions j WHERE j.id = r.acting_jurisdiction_id), 'unknown'),
             r.relations, r.source_count,
             r.first_position, r.recorded_from, r.recorded_to
        FROM jsonb_to_recordset(${JSON.stringify(json)}::jsonb) AS r(action_id text,
             jurisdiction_id text, is_acting boolean, is_affected boolean, kind text, title text, status text,
             occurred_on date, precision text, acting_jurisdiction_id text, relations jsonb, source_count integer,
             first_position bigint, recorded_from timestamptz, recorded_to timestamptz)`.execute(this.db);
  }
}

/** A statement row as a TimelineRow. */
export function timelineRowFromRaw(r: TimelineRawRow): TimelineRow {
  return {
    actionId: r.action_id,
    jurisdictionId: r.jurisdiction_id,
    kind: r.kind,
    title: r.title,
    status: r.status,
    occurredOn: r.occurred_on,
    precision: r.precision,
    actingJurisdictionId: r.acting_jurisdiction_id,
    actingLevel: r.acting_level,
    relations: r.relations,
    sourceCount: r.source_count,
    firstPosition: r.first_position,
    viaTwin: r.via_twin === true,
  };
}
