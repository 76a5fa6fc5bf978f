import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { ingestionDb } from '../../database';
import { ParkedRepository, type StoredParkedItem } from '../../repositories/parked.repository';
import { decodeIdCursor, idPage, INGESTION_LIST_MAX_LIMIT } from '../id-cursor';
import { ListParkedQuery, type ParkedItemView, type ParkedPage } from './list-parked.query';

@QueryHandler(ListParkedQuery)
export class ListParkedHandler implements IQueryHandler<ListParkedQuery, ParkedPage> {
  constructor(private readonly store: EventStore) {}

  async execute({ filters: f }: ListParkedQuery): Promise<ParkedPage> {
    const limit = Math.min(f.limit ?? 50, INGESTION_LIST_MAX_LIMIT);
    const rows = await new ParkedRepository(ingestionDb(this.store.db)).list({
      sourceId: f.sourceId,
      status: f.status ?? 'parked',
      beforeId: f.cursor ? decodeIdCursor(f.cursor) : undefined,
      take: limit + 1,
    });
    return idPage(rows, limit, parkedView);
  }
}

export function parkedView(p: StoredParkedItem): ParkedItemView {
  return { ...p, parkedAt: p.parkedAt.toISOString(), resolvedAt: p.resolvedAt?.toISOString() ?? null };
}
