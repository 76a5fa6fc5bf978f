import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ACTION_STATUSES } from '../../domain';
import { ActionRepository } from '../../repositories/action.repository';
import { JurisdictionRepository } from '../../repositories/jurisdiction.repository';
import { TimelineHistoryRepository } from '../../repositories/timeline-history.repository';
import { TimelineRepository } from '../../repositories/timeline.repository';
import type { TimelineEntry } from '../get-timeline/get-timeline.query';
import { timelineSelection, toEntry } from '../get-timeline/get-timeline.query-handler';
import {
  GetTimelineChangesQuery,
  REMOVAL_REASONS,
  TIMELINE_CHANGE_FIELDS,
  type ChangedEntry,
  type TimelineFieldChange,
  type RemovedEntry,
  type TimelineChanges,
} from './get-timeline-changes.query';

@QueryHandler(GetTimelineChangesQuery)
export class GetTimelineChangesHandler implements IQueryHandler<GetTimelineChangesQuery, TimelineChanges> {
  constructor(
    private readonly jurisdictions: JurisdictionRepository,
    private readonly timelines: TimelineRepository,
    private readonly history: TimelineHistoryRepository,
    private readonly actions: ActionRepository,
  ) {}

  async execute({ jurisdictionId: self, since, until }: GetTimelineChangesQuery): Promise<TimelineChanges> {
    // The timeline's own selection (its jurisdiction and ancestors, published entries), read
    // at each instant for only the actions whose rows changed in between.
    const selection = await timelineSelection(this.jurisdictions, self, {}, 1);
    const answer: TimelineChanges = { jurisdictionId: self, since: since.toISOString(), until: until.toISOString(), added: [], removed: [], changed: [] };
    const candidates = await this.history.actionsChangedOn([selection.jurisdictionId, ...selection.ancestors], since, until);
    if (candidates.length === 0) return answer;
    const at = (asOf: Date, statuses = selection.statuses, actionIds: readonly string[] = candidates) =>
      this.timelines.page({ ...selection, statuses, asOf, actionIds, take: actionIds.length + 1 });
    const [before, after] = await Promise.all([at(since), at(until)]);
    const beforeById = new Map(before.map((r) => [r.actionId, r]));
    const afterById = new Map(after.map((r) => [r.actionId, r]));

    const added = after.filter((r) => !beforeById.has(r.actionId));
    const gone = before.filter((r) => !afterById.has(r.actionId));
    const changed: ChangedEntry[] = [];
    for (const row of after) {
      const earlier = beforeById.get(row.actionId);
      if (!earlier) continue;
      const changes = diff(toEntry(earlier, self), toEntry(row, self));
      if (changes.length) changed.push({ entry: toEntry(row, self), changes });
    }

    let removed: RemovedEntry[] = [];
    if (gone.length) {
      // Why each left: its status at `until` where it still sits on this timeline in another
      // status, else (still published) it was corrected away from this jurisdiction.
      const goneIds = gone.map((r) => r.actionId);
      const [statusAtUntil, stored] = await Promise.all([at(until, ACTION_STATUSES, goneIds), this.actions.findMany(goneIds)]);
      const status = new Map(statusAtUntil.map((r) => [r.actionId, r.status]));
      removed = gone.map((row) => {
        const s = status.get(row.actionId);
        const reason = REMOVAL_REASONS.find((r) => r === s) ?? 'no_longer_reaching';
        const state = stored.get(row.actionId)?.state;
        return {
          entry: toEntry(row, self),
          reason,
          statusReason: reason === 'no_longer_reaching' ? null : (state?.statusReason ?? null),
          mergedInto: reason === 'merged' ? (state?.mergedInto ?? null) : null,
        };
      });
    }
    // `after` and `before` come in timeline order; `added` and `removed` keep it.
    answer.added = added.map((r) => toEntry(r, self));
    answer.removed = removed;
    answer.changed = changed;
    return answer;
  }
}

function diff(before: TimelineEntry, after: TimelineEntry): TimelineFieldChange[] {
  return TIMELINE_CHANGE_FIELDS.flatMap((field) => {
    const b = before[field];
    const a = after[field];
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ field, before: b, after: a }];
  });
}
