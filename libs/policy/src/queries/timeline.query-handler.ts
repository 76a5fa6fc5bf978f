import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { sql, type RawBuilder } from 'kysely';
import { PREPARE } from '@app/db/connection';
import { EventStore } from '@app/event-store';
import { DomainError, type DatePrecision } from '../domain';
import { GetTimelineQuery, type TimelineEntry, type TimelinePage } from './timeline.query';
import { JurisdictionAncestry } from './jurisdiction-ancestry';

interface Row {
  action_id: string;
  jurisdiction_id: string;
  kind: string;
  title: string;
  status: string;
  occurred_on: string;
  precision: DatePrecision;
  acting_jurisdiction_id: string;
  acting_level: string;
  relations: { relation: string; targetId: string }[];
  source_count: number;
  first_position: number;
}

export const TIMELINE_MAX_LIMIT = 500;

/** 'YYYY-MM-DD' start date back to what the precision says: 2017-01-01 + month → 2017-01. */
export function formatOccurredOn(start: string, precision: DatePrecision): string {
  return precision === 'day' ? start : precision === 'month' ? start.slice(0, 7) : start.slice(0, 4);
}

function encodeCursor(row: Row): string {
  return Buffer.from(`${row.occurred_on}|${row.first_position}`).toString('base64url');
}

function decodeCursor(cursor: string): { occurredOn: string; position: number } {
  const match = /^(\d{4}-\d{2}-\d{2})\|(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) {
    throw new DomainError('ACTION.INVALID', 'invalid cursor', {
      // 'query.' as every other timeline parameter's error path reads (query.limit, query.from…).
      errors: [{ path: 'query.cursor', message: 'must be a nextCursor returned by this endpoint' }],
    });
  }
  return { occurredOn: match[1], position: Number(match[2]) };
}

/**
 * A jurisdiction's timeline: its own entries plus those of its ancestors' affected actions.
 * One index range scan per timeline (its own and each ancestor's), merged in date order by
 * Postgres (Merge Append) and cut at the page size, so a page costs the same whether the
 * federal timeline above it holds ten actions or a million.
 */
@QueryHandler(GetTimelineQuery)
export class GetTimelineHandler implements IQueryHandler<GetTimelineQuery, TimelinePage> {
  constructor(
    private readonly store: EventStore,
    private readonly ancestry: JurisdictionAncestry,
  ) {}

  async execute({ jurisdictionId, filters }: GetTimelineQuery): Promise<TimelinePage> {
    const ancestors = await this.ancestry.ancestorsOf(jurisdictionId);
    const limit = Math.min(filters.limit ?? 50, TIMELINE_MAX_LIMIT);
    const timelines = filters.inherited === false ? [] : ancestors;
    const rows = await this.fetch(jurisdictionId, timelines, filters, limit + 1);
    const entries = rows.slice(0, limit).map((r) => this.toEntry(r, jurisdictionId));
    return {
      jurisdictionId,
      asOf: filters.asOf?.toISOString() ?? null,
      entries,
      nextCursor: rows.length > limit ? encodeCursor(rows[limit - 1]) : null,
    };
  }

  private async fetch(self: string, ancestors: string[], f: GetTimelineQuery['filters'], take: number): Promise<Row[]> {
    const conditions: RawBuilder<unknown>[] = [];
    // As-of reads every version that was current at that instant; otherwise only current rows,
    // which the partial index holds.
    conditions.push(
      f.asOf
        ? sql`recorded_from <= ${f.asOf} AND (recorded_to IS NULL OR recorded_to > ${f.asOf})`
        : sql`recorded_to IS NULL`,
    );
    conditions.push(sql`status = ANY(${f.statuses ?? ['published']}::text[])`);
    if (f.from) conditions.push(sql`occurred_on >= ${f.from}::date`);
    if (f.to) conditions.push(sql`occurred_on <= ${f.to}::date`);
    if (f.levels?.length) conditions.push(sql`acting_level = ANY(${f.levels}::text[])`);
    if (f.kinds?.length) conditions.push(sql`kind = ANY(${f.kinds}::text[])`);
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      conditions.push(sql`(occurred_on, first_position) > (${c.occurredOn}::date, ${c.position}::bigint)`);
    }
    const where = sql.join(conditions, sql` AND `);
    // depth 0 is the jurisdiction itself (any role); ancestors (nearest first) pass on only
    // what affected them, not what they merely did.
    const branch = (jurisdictionId: string, depth: number) => sql`
      (SELECT action_id, jurisdiction_id, kind, title, status, occurred_on::text AS occurred_on, precision,
              acting_jurisdiction_id, acting_level, relations, source_count, first_position, ${depth}::int AS depth
         FROM timeline_entries
        WHERE jurisdiction_id = ${jurisdictionId} ${depth === 0 ? sql`` : sql`AND is_affected`} AND ${where}
        ORDER BY timeline_entries.occurred_on, timeline_entries.first_position
        LIMIT ${take})`;
    const branches = [self, ...ancestors].map((id, depth) => branch(id, depth));
    // The plain page (status and cursor at most), by far the most read, is prepared: planning
    // it cost as much as running it (docs/benchmarks-api.md), and its generic plan is the same
    // index range per timeline. With date, level, kind or as-of filters a generic plan can
    // pick the wrong index (2.7 ms against 0.3 ms measured), so those are planned each time.
    const plain = !f.asOf && !f.from && !f.to && !f.levels?.length && !f.kinds?.length;
    // An action on several of these timelines appears once: directly if it is direct here,
    // else through the nearest ancestor.
    const { rows } = await sql<Row>`${sql.raw(plain ? PREPARE : '')}
      SELECT DISTINCT ON (occurred_on, first_position) *
        FROM (${sql.join(branches, sql` UNION ALL `)}) merged
       ORDER BY occurred_on, first_position, depth
       LIMIT ${take}`.execute(this.store.db);
    return rows;
  }

  private toEntry(row: Row, self: string): TimelineEntry {
    const inherited = row.jurisdiction_id !== self;
    return {
      actionId: row.action_id,
      kind: row.kind,
      title: row.title,
      status: row.status,
      occurredOn: formatOccurredOn(row.occurred_on, row.precision),
      precision: row.precision,
      level: row.acting_level,
      actingJurisdictionId: row.acting_jurisdiction_id,
      inherited,
      via: inherited ? row.jurisdiction_id : null,
      relations: row.relations,
      sourceCount: row.source_count,
    };
  }
}
