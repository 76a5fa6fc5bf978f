import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { sql } from 'kysely';
import { EventStore } from '@app/event-store';
import { DomainError, isOcdId, type DatePrecision } from '../domain';
import { GetJurisdictionQuery, ListJurisdictionsQuery } from './jurisdictions.query';
import { formatOccurredOn } from './timeline.query-handler';

export interface JurisdictionSummary {
  id: string;
  name: string;
  level: string;
  parentId: string | null;
}

export interface JurisdictionDetail extends JurisdictionSummary {
  ancestors: string[];
  registeredAt: string;
  childCount: number;
  /** Published actions directly on this timeline, by acting level and by kind. */
  counts: { byLevel: Record<string, number>; byKind: Record<string, number>; total: number };
  latestAction: { actionId: string; title: string; kind: string; occurredOn: string } | null;
}

export const DIRECTORY_MAX_LIMIT = 500;

/** The cursor is the last id of the previous page: anything else is refused, not read as a place to start. */
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!isOcdId(id)) {
    throw new DomainError('JURISDICTION.INVALID', 'invalid cursor', {
      errors: [{ path: 'query.cursor', message: 'must be a nextCursor returned by this endpoint' }],
    });
  }
  return id;
}

@QueryHandler(ListJurisdictionsQuery)
export class ListJurisdictionsHandler implements IQueryHandler<ListJurisdictionsQuery> {
  constructor(private readonly store: EventStore) {}

  async execute({ filters }: ListJurisdictionsQuery): Promise<{ items: JurisdictionSummary[]; nextCursor: string | null }> {
    const limit = Math.min(filters.limit ?? 50, DIRECTORY_MAX_LIMIT);
    const after = filters.cursor ? decodeCursor(filters.cursor) : null;
    const rows = await this.store.db
      .selectFrom('jurisdictions' as any)
      .select(['id', 'name', 'level', 'parent_id'])
      .$if(!!filters.q, (q) => q.where(sql<boolean>`name ILIKE ${'%' + escapeLike(filters.q!) + '%'}`))
      .$if(!!filters.level, (q) => q.where('level', '=', filters.level!))
      .$if(after !== null, (q) => q.where('id', '>', after!))
      .orderBy('id')
      .limit(limit + 1)
      .execute() as { id: string; name: string; level: string; parent_id: string | null }[];
    const items = rows.slice(0, limit).map((r) => ({ id: r.id, name: r.name, level: r.level, parentId: r.parent_id }));
    return {
      items,
      nextCursor: rows.length > limit ? Buffer.from(items[limit - 1].id).toString('base64url') : null,
    };
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

@QueryHandler(GetJurisdictionQuery)
export class GetJurisdictionHandler implements IQueryHandler<GetJurisdictionQuery, JurisdictionDetail> {
  constructor(private readonly store: EventStore) {}

  async execute({ id }: GetJurisdictionQuery): Promise<JurisdictionDetail> {
    const db = this.store.db;
    const { rows } = await sql<{ id: string; name: string; level: string; parent_id: string | null; ancestors: string[]; registered_at: Date; child_count: number }>`
      SELECT j.*, (SELECT count(*)::int FROM jurisdictions c WHERE c.parent_id = j.id) AS child_count
        FROM jurisdictions j WHERE j.id = ${id}`.execute(db);
    const j = rows[0];
    if (!j) throw new DomainError('JURISDICTION.UNKNOWN', `no jurisdiction ${id}`, { details: { id } });
    const { rows: counts } = await sql<{ acting_level: string; kind: string; n: number }>`
      SELECT acting_level, kind, count(*)::int AS n FROM timeline_entries
       WHERE jurisdiction_id = ${id} AND recorded_to IS NULL AND status = 'published'
       GROUP BY acting_level, kind`.execute(db);
    const { rows: latest } = await sql<{ action_id: string; title: string; kind: string; occurred_on: string; precision: string }>`
      SELECT action_id, title, kind, occurred_on::text AS occurred_on, precision FROM timeline_entries
       WHERE jurisdiction_id = ${id} AND recorded_to IS NULL AND status = 'published'
       ORDER BY timeline_entries.occurred_on DESC, timeline_entries.first_position DESC LIMIT 1`.execute(db);
    const byLevel: Record<string, number> = {};
    const byKind: Record<string, number> = {};
    for (const c of counts) {
      byLevel[c.acting_level] = (byLevel[c.acting_level] ?? 0) + c.n;
      byKind[c.kind] = (byKind[c.kind] ?? 0) + c.n;
    }
    return {
      id: j.id,
      name: j.name,
      level: j.level,
      parentId: j.parent_id,
      ancestors: j.ancestors,
      registeredAt: j.registered_at.toISOString(),
      childCount: j.child_count,
      counts: { byLevel, byKind, total: counts.reduce((n, c) => n + c.n, 0) },
      latestAction: latest[0]
        ? {
            actionId: latest[0].action_id,
            title: latest[0].title,
            kind: latest[0].kind,
            // As the timeline writes it ('2017-01' for a month), not the sortable start day.
            occurredOn: formatOccurredOn(latest[0].occurred_on, latest[0].precision as DatePrecision),
          }
        : null,
    };
  }
}
