import { z } from 'zod';
import { exportedTimelineEntrySchema } from '../export-timeline/export-timeline.query';
import type { TimelineFilters } from '../get-timeline/get-timeline.query';

/**
 * A timeline's latest news: its entries most recently recorded or changed, newest change
 * first, at most `limit` (the timeline's filters apply; a cursor or an instant do not).
 */
export class GetTimelineFeedQuery {
  constructor(
    readonly jurisdictionId: string,
    readonly filters: Omit<TimelineFilters, 'cursor' | 'asOf'> = {},
  ) {}
}

export const timelineFeedEntrySchema = exportedTimelineEntrySchema
  .extend({
    changedAt: z.string().meta({ description: 'when the ledger recorded this version of the entry (its first recording or its latest change)' }),
    firstRecordedAt: z.string().meta({ description: 'when the action was first recorded' }),
  })
  .meta({ id: 'TimelineFeedEntry' });

export const timelineFeedSchema = z
  .strictObject({
    jurisdictionId: z.string(),
    jurisdictionName: z.string(),
    entries: z.array(timelineFeedEntrySchema),
  })
  .meta({ id: 'TimelineFeed' });

export type TimelineFeedEntry = z.output<typeof timelineFeedEntrySchema>;
export type TimelineFeed = z.output<typeof timelineFeedSchema>;

export const FEED_DEFAULT_LIMIT = 100;
