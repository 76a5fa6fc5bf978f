import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ActionRepository } from '../../repositories/action.repository';
import { toActionSummary } from '../list-actions/list-actions.query-handler';
import type { ActionSummary } from '../list-actions/list-actions.query';
import { ACTIONS_EXPORT_BATCH, ExportActionsQuery } from './export-actions.query';

/**
 * The whole ledger, keyset-paged on the position of each action's first event: one batch in
 * memory at a time, one short query per batch (no transaction or cursor held open while a slow
 * client reads), and a reader that stops iterating stops the reads.
 */
@QueryHandler(ExportActionsQuery)
export class ExportActionsHandler implements IQueryHandler<ExportActionsQuery, AsyncIterable<ActionSummary>> {
  constructor(private readonly actions: ActionRepository) {}

  execute({ filters }: ExportActionsQuery): Promise<AsyncIterable<ActionSummary>> {
    return Promise.resolve(this.rows(filters.statuses, Math.max(1, filters.batch ?? ACTIONS_EXPORT_BATCH)));
  }

  private async *rows(statuses: ExportActionsQuery['filters']['statuses'], take: number): AsyncGenerator<ActionSummary> {
    let afterPosition = 0;
    for (;;) {
      const batch = await this.actions.exportBatch({ statuses, afterPosition, take });
      for (const action of batch) yield toActionSummary(action);
      if (batch.length < take) return;
      afterPosition = batch[batch.length - 1].firstPosition;
    }
  }
}
