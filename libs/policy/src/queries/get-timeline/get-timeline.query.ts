import type { ActionKind, ActionStatus, JurisdictionLevel } from '../../domain';

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

export interface TimelineEntry {
  actionId: string;
  kind: string;
  title: string;
  status: string;
  occurredOn: string;
  precision: string;
  level: string;
  actingJurisdictionId: string;
  inherited: boolean;
  /** For an inherited entry, the ancestor it reached this jurisdiction through. */
  via: string | null;
  relations: { relation: string; targetId: string }[];
  sourceCount: number;
}

export interface TimelinePage {
  jurisdictionId: string;
  asOf: string | null;
  entries: TimelineEntry[];
  nextCursor: string | null;
}

export const TIMELINE_MAX_LIMIT = 500;
