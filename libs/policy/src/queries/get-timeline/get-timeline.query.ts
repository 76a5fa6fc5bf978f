import { z } from 'zod';
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  DATE_PRECISIONS,
  JURISDICTION_LEVELS,
  actionIdSchema,
  relationSchema,
  type ActionKind,
  type ActionStatus,
  type JurisdictionLevel,
} from '../../domain';

export interface TimelineFilters {
  from?: string;
  to?: string;
  /** Acting jurisdiction's level. */
  levels?: JurisdictionLevel[];
  kinds?: ActionKind[];
  /** false = direct entries only. */
  inherited?: boolean;
  /** Default: published only. */
  statuses?: ActionStatus[];
  /** The timeline as the ledger knew it at this instant. */
  asOf?: Date;
  cursor?: string;
  limit?: number;
}

/** A jurisdiction's timeline: what it did, what named it, and what reached it from above. */
export class GetTimelineQuery {
  constructor(
    readonly jurisdictionId: string,
    readonly filters: TimelineFilters = {},
  ) {}
}

export const timelineEntrySchema = z
  .strictObject({
    actionId: actionIdSchema,
    kind: z.enum(ACTION_KINDS),
    title: z.string(),
    status: z.enum(ACTION_STATUSES),
    occurredOn: z.string().meta({ description: "as precisely as it is known: '2017-01-25', '2017-01' or '2017'" }),
    precision: z.enum(DATE_PRECISIONS),
    level: z
      .enum([...JURISDICTION_LEVELS, 'unknown'])
      .meta({ description: "the acting jurisdiction's level ('unknown' when the acting jurisdiction is not in the directory)" }),
    actingJurisdictionId: z.string(),
    inherited: z.boolean(),
    via: z
      .string()
      .nullable()
      .meta({ description: 'the timeline it reached this jurisdiction through: the ancestor of an inherited entry, or the consolidated twin' }),
    twin: z.boolean().meta({
      description:
        "true when the action was recorded on this jurisdiction's consolidated twin (a city-county's other OCD id, named by via): one government, so not inherited",
    }),
    relations: z.array(relationSchema),
    sourceCount: z.int().min(0),
  })
  .meta({ id: 'TimelineEntry' });

export const timelinePageSchema = z
  .strictObject({
    jurisdictionId: z.string(),
    asOf: z.string().nullable().meta({ description: 'the instant asked for; null for the timeline as it stands now' }),
    entries: z.array(timelineEntrySchema),
    nextCursor: z.string().nullable().meta({ description: 'the `cursor` of the next page; null on the last page' }),
  })
  .meta({ id: 'TimelinePage' });

export type TimelineEntry = z.output<typeof timelineEntrySchema>;
export type TimelinePage = z.output<typeof timelinePageSchema>;

export const TIMELINE_MAX_LIMIT = 500;
