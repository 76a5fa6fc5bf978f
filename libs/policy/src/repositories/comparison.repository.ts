import { sql, type Kysely } from 'kysely';
import { PREPARE } from '@app/db/connection';
import type { JurisdictionLevel } from '../domain';
import type { PolicyDatabase } from '../database';
import { preparable, timelineRowFromRaw, timelineSql, type TimelineRawRow, type TimelineRow, type TimelineSelection } from './timeline.repository';

/** One action and the compared timelines that hold it. */
export interface ComparedAction {
  row: TimelineRow;
  /** Each compared jurisdiction (by its index) holding it, and the timeline it sits on there. */
  cells: { column: number; timelineId: string }[];
}

export interface NamedJurisdiction {
  id: string;
  name: string;
  level: JurisdictionLevel;
}

/** Reads across several timelines at once (compare). */
export class ComparisonRepository {
  constructor(private readonly db: Kysely<PolicyDatabase>) {}

  /**
   * The first `take` actions on any of the timelines, in timeline order, each with the
   * columns whose timelines hold it. Each column is that jurisdiction's own timeline statement, so the
   * ancestors and inheritance rules are the timeline's; a column needs at most `take` rows of
   * its own, since every action among the first `take` of the union is among the first `take`
   * of each column that holds it.
   */
  async columns(selections: readonly TimelineSelection[], take: number): Promise<ComparedAction[]> {
    const columns = selections.map((s, i) => sql`(SELECT ${i}::int AS col, t.* FROM (${timelineSql({ ...s, take })}) t)`);
    // One row per action, carrying its columns: a shared action's fields cross the wire once.
    // Prepared on the timeline's own terms (the plain comparison, the one read most).
    const { rows } = await sql<TimelineRawRow & { cols: number[]; timelines: string[] }>`${sql.raw(selections.every(preparable) ? PREPARE : '')}
      SELECT DISTINCT ON (occurred_on, first_position) *,
             array_agg(col) OVER w AS cols, array_agg(jurisdiction_id) OVER w AS timelines
        FROM (${sql.join(columns, sql` UNION ALL `)}) c
      WINDOW w AS (PARTITION BY occurred_on, first_position ORDER BY col ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
       ORDER BY occurred_on, first_position, col
       LIMIT ${take}`.execute(this.db);
    return rows.map((r) => ({ row: timelineRowFromRaw(r), cells: r.cols.map((column, i) => ({ column, timelineId: r.timelines[i] })) }));
  }

  /** Names and levels of these jurisdictions and of all their ancestors (none for an unknown id). */
  async withAncestors(ids: readonly string[]): Promise<NamedJurisdiction[]> {
    // One id list, so that it is one primary-key lookup (an OR with the subquery was a
    // sequential scan of the directory).
    const { rows } = await sql<NamedJurisdiction>`${sql.raw(PREPARE)}
      SELECT id, name, level FROM jurisdictions
       WHERE id = ANY(${ids}::text[] || ARRAY(SELECT unnest(ancestors) FROM jurisdictions WHERE id = ANY(${ids}::text[])))`.execute(this.db);
    return rows;
  }

  /** Names and levels of these jurisdictions. */
  async named(ids: readonly string[]): Promise<NamedJurisdiction[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('jurisdictions').select(['id', 'name', 'level']).where('id', 'in', ids).execute();
  }
}
