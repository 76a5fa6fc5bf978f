import { z } from 'zod';
import { pageSchema } from '../page';
import type { ActionKind, ActionStatus } from '../../domain';
import { actionDetailSchema } from '../get-action/get-action.query';

export interface ActionListFilters {
  /** Any of these statuses (all when absent). */
  statuses?: ActionStatus[];
  kinds?: ActionKind[];
  /** Ingested from this system (a proposal's `sourceSystem`). */
  sourceSystem?: string;
  /** Acting or named as affected: the actions that sit on this jurisdiction directly. */
  jurisdictionId?: string;
  /** Part of the title, any case; matched literally (`%` and `_` are not wildcards). */
  q?: string;
  cursor?: string;
  limit?: number;
}

/** Actions newest first, by status, kind, source, jurisdiction and title: the review queue's list. */
export class ListActionsQuery {
  constructor(readonly filters: ActionListFilters = {}) {}
}

export const actionSummarySchema = actionDetailSchema.omit({ incoming: true }).meta({ id: 'ActionSummary' });

export const actionsPageSchema = pageSchema(actionSummarySchema, 'ActionsPage');

export type ActionSummary = z.output<typeof actionSummarySchema>;
export type ActionsPage = z.output<typeof actionsPageSchema>;

export const ACTION_LIST_MAX_LIMIT = 500;
