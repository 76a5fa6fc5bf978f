import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ActionRepository } from '../../repositories/action.repository';
import { JurisdictionRepository } from '../../repositories/jurisdiction.repository';
import { GetTimelineHandler } from '../get-timeline/get-timeline.query-handler';
import { GetTimelineQuery, TIMELINE_MAX_LIMIT, type TimelineEntry, type TimelineFilters, type TimelinePage } from '../get-timeline/get-timeline.query';
import { EXPORT_BATCH, ExportTimelineQuery, type ExportedTimelineEntry, type TimelineExport } from './export-timeline.query';

/**
 * Walks the timeline page by page through GetTimelineHandler itself, so an export holds
 * exactly what the JSON pages hold (the same selection, order and cursor), however its rules
 * change. The first page is read before answering: an unknown jurisdiction or a bad cursor is
 * an error, not a broken stream.
 */
@QueryHandler(ExportTimelineQuery)
export class ExportTimelineHandler implements IQueryHandler<ExportTimelineQuery, TimelineExport> {
  constructor(
    private readonly timeline: GetTimelineHandler,
    private readonly actions: ActionRepository,
    private readonly jurisdictions: JurisdictionRepository,
  ) {}

  async execute({ jurisdictionId, filters }: ExportTimelineQuery): Promise<TimelineExport> {
    const batch = Math.min(filters.limit ?? EXPORT_BATCH, TIMELINE_MAX_LIMIT);
    const first: TimelinePage = await this.timeline.execute(new GetTimelineQuery(jurisdictionId, { ...filters, limit: batch }));
    const names = await this.jurisdictions.namesOf([jurisdictionId]);
    return {
      jurisdictionId,
      jurisdictionName: names.get(jurisdictionId) ?? jurisdictionId,
      entries: this.entries(first, jurisdictionId, filters, batch),
    };
  }

  private async *entries(first: TimelinePage, jurisdictionId: string, filters: TimelineFilters, batch: number): AsyncGenerator<ExportedTimelineEntry> {
    let page = first;
    for (;;) {
      yield* await enrichEntries(page.entries, this.actions, this.jurisdictions);
      if (!page.nextCursor) return;
      page = await this.timeline.execute(new GetTimelineQuery(jurisdictionId, { ...filters, cursor: page.nextCursor, limit: batch }));
    }
  }
}

/** Adds the summary, first source and names to a batch of entries: two queries per batch. */
export async function enrichEntries(
  entries: readonly TimelineEntry[],
  actions: ActionRepository,
  jurisdictions: JurisdictionRepository,
): Promise<ExportedTimelineEntry[]> {
  if (entries.length === 0) return [];
  const named = new Set<string>();
  for (const e of entries) {
    named.add(e.actingJurisdictionId);
    if (e.via) named.add(e.via);
  }
  const [stored, names] = await Promise.all([actions.findMany(entries.map((e) => e.actionId)), jurisdictions.namesOf([...named])]);
  return entries.map((e) => {
    const state = stored.get(e.actionId)?.state;
    return {
      ...e,
      summary: state?.summary ?? '',
      sourceUrl: state?.sources[0]?.url ?? null,
      actingJurisdictionName: names.get(e.actingJurisdictionId) ?? null,
      viaName: e.via ? (names.get(e.via) ?? null) : null,
    };
  });
}
