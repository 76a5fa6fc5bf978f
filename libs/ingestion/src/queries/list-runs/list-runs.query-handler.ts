import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { ingestionDb } from '../../database';
import { RunRepository } from '../../repositories/run.repository';
import { decodeIdCursor, idPage, INGESTION_LIST_MAX_LIMIT } from '../id-cursor';
import { runView } from '../list-sources/list-sources.query-handler';
import { ListRunsQuery, type RunsPage } from './list-runs.query';

@QueryHandler(ListRunsQuery)
export class ListRunsHandler implements IQueryHandler<ListRunsQuery, RunsPage> {
  constructor(private readonly store: EventStore) {}

  async execute({ filters: f }: ListRunsQuery): Promise<RunsPage> {
    const limit = Math.min(f.limit ?? 50, INGESTION_LIST_MAX_LIMIT);
    const rows = await new RunRepository(ingestionDb(this.store.db)).list({
      sourceId: f.sourceId,
      beforeId: f.cursor ? decodeIdCursor(f.cursor) : undefined,
      take: limit + 1,
    });
    return idPage(rows, limit, runView);
  }
}
