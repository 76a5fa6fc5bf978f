import { sql, type Kysely } from 'kysely';
import { PREPARE } from '@app/db/connection';
import type { JurisdictionLevel } from '../domain';
import type { PolicyDatabase } from '../database';
import { preparable, timelineRowFromRaw, timelineSql, type TimelineRawRow, type TimelineRow, type TimelineSelection } from './timeline.repository';

/** One action on one compared timeline. */
export interface ComparedRow {
  /** Index of the compared jurisdiction (its column). */
  column: number;
  row: TimelineRow;
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
   * The first `take` actions on any of the timelines, in timeline order, each with a row per
   * timeline that holds it. Each column is that jurisdiction's own timeline statement, so the
   * ancestors and inheritance rules are the timeline's; a column needs at most `take` rows of
   * its own, since every action among the first `take` of the union is among the first `take`
   * of each column that holds it.
   */
  async columns(selections: readonly TimelineSelection[], take: number): Promise<ComparedRow[]> {
    const columns = selections.map((s, i) => sql`(SELECT ${i}::int AS col, t.* FROM (${timelineSql({ ...s, take })}) t)`);
    // Prepared on the timeline's own terms (the plain comparison, the one read most).
    const { rows } = await sql<TimelineRawRow & { col: number }>`${sql.raw(selections.every(preparable) ? PREPARE : '')}
      SELECT * FROM (
        SELECT c.*, dense_rank() OVER (ORDER BY occurred_on, first_position) AS n
          FROM (${sql.join(columns, sql` UNION ALL `)}) c
      ) ranked
      WHERE n <= ${take}
      ORDER BY occurred_on, first_position, col`.execute(this.db);
    return rows.map((r) => ({ column: r.col, row: timelineRowFromRaw(r) }));
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
