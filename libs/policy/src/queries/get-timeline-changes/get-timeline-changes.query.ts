import { z } from 'zod';
import { actionIdSchema, relationSchema } from '../../domain';
import { timelineEntrySchema } from '../get-timeline/get-timeline.query';

/** What changed on a jurisdiction's timeline between the ledger as known at two instants. */
export class GetTimelineChangesQuery {
  constructor(
    readonly jurisdictionId: string,
    readonly since: Date,
    readonly until: Date,
  ) {}
}

/** The fields of an entry compared between the two instants. */
export const TIMELINE_CHANGE_FIELDS = [
  'title', 'occurredOn', 'precision', 'kind', 'status', 'level', 'actingJurisdictionId', 'via', 'relations', 'sourceCount',
] as const;
export type TimelineChangeField = (typeof TIMELINE_CHANGE_FIELDS)[number];

/** Why an entry left the timeline: its status at `until`, or that it no longer reaches the jurisdiction. */
export const REMOVAL_REASONS = ['retracted', 'rejected', 'merged', 'no_longer_reaching'] as const;

export const timelineFieldChangeSchema = z
  .strictObject({
    field: z.enum(TIMELINE_CHANGE_FIELDS),
    before: z.union([z.string(), z.number(), z.null(), z.array(relationSchema)]),
    after: z.union([z.string(), z.number(), z.null(), z.array(relationSchema)]),
  })
  .meta({ id: 'TimelineFieldChange', description: "one field's value at `since` and at `until` (via: null when direct)" });

export const removedEntrySchema = z
  .strictObject({
    entry: timelineEntrySchema.meta({ description: 'the entry as it stood at `since`' }),
    reason: z.enum(REMOVAL_REASONS).meta({
      description:
        'retracted, rejected or merged: its status at `until`; no_longer_reaching: still published, but corrected so that it no longer reaches this jurisdiction',
    }),
    statusReason: z.string().nullable().meta({ description: 'the reason given for the retraction, rejection or merge' }),
    mergedInto: actionIdSchema.nullable().meta({ description: 'for a merged duplicate, the action it was folded into' }),
  })
  .meta({ id: 'RemovedTimelineEntry' });

export const changedEntrySchema = z
  .strictObject({
    entry: timelineEntrySchema.meta({ description: 'the entry as it stands at `until`' }),
    changes: z.array(timelineFieldChangeSchema).min(1),
  })
  .meta({ id: 'ChangedTimelineEntry' });

export const timelineChangesSchema = z
  .strictObject({
    jurisdictionId: z.string(),
    since: z.string().meta({ description: 'the earlier instant (ISO 8601)' }),
    until: z.string().meta({ description: 'the later instant (ISO 8601)' }),
    added: z.array(timelineEntrySchema).meta({ description: 'on the timeline at `until`, not at `since`; in timeline order' }),
    removed: z.array(removedEntrySchema).meta({ description: 'on the timeline at `since`, not at `until`; in timeline order' }),
    changed: z.array(changedEntrySchema).meta({ description: 'on both, with different fields; in timeline order (at `until`)' }),
  })
  .meta({ id: 'TimelineChanges' });

export type TimelineFieldChange = z.output<typeof timelineFieldChangeSchema>;
export type RemovedEntry = z.output<typeof removedEntrySchema>;
export type ChangedEntry = z.output<typeof changedEntrySchema>;
export type TimelineChanges = z.output<typeof timelineChangesSchema>;
