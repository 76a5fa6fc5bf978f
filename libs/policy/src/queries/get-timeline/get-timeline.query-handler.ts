import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, isCalendarDate, atPrecision } from '../../domain';
import { invalidCursor } from '../page';
import { JurisdictionRepository } from '../../repositories/jurisdiction.repository';
import { TimelineRepository, type TimelineCursor, type TimelineRow, type TimelineSelection } from '../../repositories/timeline.repository';
import { GetTimelineQuery, TIMELINE_MAX_LIMIT, type TimelineEntry, type TimelineFilters, type TimelinePage } from './get-timeline.query';

/** A page's nextCursor: where the next page starts, in timeline order. */
export function encodeCursor(row: TimelineRow): string {
  return Buffer.from(`${row.occurredOn}|${row.firstPosition}`).toString('base64url');
}

export function decodeCursor(cursor: string): TimelineCursor {
  const match = /^(\d{4}-\d{2}-\d{2})\|(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match || !isCalendarDate(match[1])) {
    throw invalidCursor();
  }
  return { occurredOn: match[1], position: Number(match[2]) };
}

/**
 * What a jurisdiction's timeline reads: the timelines it is made of (its own and its
 * ancestors') and the filters. Compare and what-changed read timelines through it too, so
 * they show exactly what the timeline shows.
 */
export async function timelineSelection(
  jurisdictions: JurisdictionRepository,
  jurisdictionId: string,
  f: TimelineFilters,
  take: number,
): Promise<TimelineSelection> {
  const ancestors = await jurisdictions.ancestorsOf(jurisdictionId);
  if (!ancestors) throw new DomainError('JURISDICTION.UNKNOWN', `no jurisdiction ${jurisdictionId}`, { details: { id: jurisdictionId } });
  return {
    jurisdictionId,
    ancestors: f.inherited === false ? [] : ancestors,
    from: f.from,
    to: f.to,
    levels: f.levels,
    kinds: f.kinds,
    statuses: f.statuses ?? ['published'],
    asOf: f.asOf,
    after: f.cursor ? decodeCursor(f.cursor) : undefined,
    take,
  };
}

@QueryHandler(GetTimelineQuery)
export class GetTimelineHandler implements IQueryHandler<GetTimelineQuery, TimelinePage> {
  constructor(
    private readonly jurisdictions: JurisdictionRepository,
    private readonly timelines: TimelineRepository,
  ) {}

  async execute({ jurisdictionId, filters: f }: GetTimelineQuery): Promise<TimelinePage> {
    const limit = Math.min(f.limit ?? 50, TIMELINE_MAX_LIMIT);
    const rows = await this.timelines.page(await timelineSelection(this.jurisdictions, jurisdictionId, f, limit + 1));
    return {
      jurisdictionId,
      asOf: f.asOf?.toISOString() ?? null,
      entries: rows.slice(0, limit).map((r) => toEntry(r, jurisdictionId)),
      nextCursor: rows.length > limit ? encodeCursor(rows[limit - 1]) : null,
    };
  }
}

/** A row as an entry of `self`'s timeline: direct (its own or its twin's), or inherited through the timeline it sits on. */
export function toEntry(row: TimelineRow, self: string): TimelineEntry {
  const inherited = row.jurisdictionId !== self && !row.viaTwin;
  return {
    actionId: row.actionId,
    kind: row.kind,
    title: row.title,
    status: row.status,
    // As precise as it is known: '2017-01' for a month, not the sortable start day.
    occurredOn: atPrecision(row.occurredOn, row.precision),
    precision: row.precision,
    level: row.actingLevel,
    actingJurisdictionId: row.actingJurisdictionId,
    inherited,
    via: row.jurisdictionId !== self ? row.jurisdictionId : null,
    twin: row.viaTwin,
    relations: row.relations,
    sourceCount: row.sourceCount,
  };
}
