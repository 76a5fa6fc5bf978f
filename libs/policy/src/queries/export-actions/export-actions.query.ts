import type { ActionStatus } from '../../domain';

/**
 * Every action's current state (all statuses when none are named), in the order they were
 * first recorded, as an async iterable read `batch` at a time.
 */
export class ExportActionsQuery {
  constructor(readonly filters: { statuses?: ActionStatus[]; batch?: number } = {}) {}
}

export const ACTIONS_EXPORT_BATCH = 500;
