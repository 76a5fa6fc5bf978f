import { sql, type Kysely } from 'kysely';
import type { PolicyDatabase } from '../database';

/** Reads of the timeline's recorded history (what-changed). */
export class TimelineHistoryRepository {
  constructor(private readonly db: Kysely<PolicyDatabase>) {}

  /**
   * The actions with a row version on any of these timelines that began or ended in
   * (since, until]: every action whose entry can differ between the two instants (and a few
   * whose entry ended the same as it began).
   */
  async actionsChangedOn(jurisdictionIds: readonly string[], since: Date, until: Date): Promise<string[]> {
    const { rows } = await sql<{ action_id: string }>`
      SELECT DISTINCT action_id FROM timeline_entries
       WHERE jurisdiction_id = ANY(${jurisdictionIds}::text[])
         AND ((recorded_from > ${since} AND recorded_from <= ${until}) OR (recorded_to > ${since} AND recorded_to <= ${until}))`.execute(this.db);
    return rows.map((r) => r.action_id);
  }
}
