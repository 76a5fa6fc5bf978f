import { z } from 'zod';
import { timelineEntrySchema, type TimelineFilters } from '../get-timeline/get-timeline.query';

/**
 * Every entry of a jurisdiction's timeline under the timeline's own filters, from `cursor` on
 * when given; `limit` sets how many are read from the database at a time, not how many are
 * exported. The entries arrive as an async iterable, one batch in memory at a time.
 */
export class ExportTimelineQuery {
  constructor(
    readonly jurisdictionId: string,
    readonly filters: TimelineFilters = {},
  ) {}
}

/** A timeline entry with what a reader outside the API needs beside it: the text, a source, the names. */
export const exportedTimelineEntrySchema = timelineEntrySchema
  .extend({
    summary: z.string(),
    sourceUrl: z.string().nullable().meta({ description: 'the first source cited, if any' }),
    actingJurisdictionName: z.string().nullable().meta({ description: 'null when the acting jurisdiction is not in the directory' }),
    viaName: z.string().nullable().meta({ description: 'the name of the ancestor an inherited entry reached this jurisdiction through' }),
  })
  .meta({ id: 'ExportedTimelineEntry' });

export type ExportedTimelineEntry = z.output<typeof exportedTimelineEntrySchema>;

export interface TimelineExport {
  jurisdictionId: string;
  jurisdictionName: string;
  /** Read lazily, batch by batch; stop iterating and no further batch is read. */
  entries: AsyncIterable<ExportedTimelineEntry>;
}

/** Entries read per round trip when the request does not say. */
export const EXPORT_BATCH = 500;
