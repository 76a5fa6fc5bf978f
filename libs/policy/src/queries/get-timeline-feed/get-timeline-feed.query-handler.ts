import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ActionRepository } from '../../repositories/action.repository';
import { JurisdictionRepository } from '../../repositories/jurisdiction.repository';
import { TimelineRepository } from '../../repositories/timeline.repository';
import { enrichEntries } from '../export-timeline/export-timeline.query-handler';
import { TIMELINE_MAX_LIMIT } from '../get-timeline/get-timeline.query';
import { timelineSelection, toEntry } from '../get-timeline/get-timeline.query-handler';
import { FEED_DEFAULT_LIMIT, GetTimelineFeedQuery, type TimelineFeed } from './get-timeline-feed.query';

@QueryHandler(GetTimelineFeedQuery)
export class GetTimelineFeedHandler implements IQueryHandler<GetTimelineFeedQuery, TimelineFeed> {
  constructor(
    private readonly timelines: TimelineRepository,
    private readonly actions: ActionRepository,
    private readonly jurisdictions: JurisdictionRepository,
  ) {}

  async execute({ jurisdictionId, filters }: GetTimelineFeedQuery): Promise<TimelineFeed> {
    const take = Math.min(filters.limit ?? FEED_DEFAULT_LIMIT, TIMELINE_MAX_LIMIT);
    // The timeline's own selection (which timelines, which statuses), read in another order.
    const selection = await timelineSelection(this.jurisdictions, jurisdictionId, { ...filters, cursor: undefined, asOf: undefined }, take);
    const rows = await this.timelines.recentChanges(selection);
    const entries = await enrichEntries(rows.map((r) => toEntry(r, jurisdictionId)), this.actions, this.jurisdictions);
    const [stored, names] = await Promise.all([
      this.actions.findMany(rows.map((r) => r.actionId)),
      this.jurisdictions.namesOf([jurisdictionId]),
    ]);
    return {
      jurisdictionId,
      jurisdictionName: names.get(jurisdictionId) ?? jurisdictionId,
      entries: entries.map((e, i) => ({
        ...e,
        changedAt: rows[i].changedAt.toISOString(),
        firstRecordedAt: (stored.get(e.actionId)?.recordedAt ?? rows[i].changedAt).toISOString(),
      })),
    };
  }
}
