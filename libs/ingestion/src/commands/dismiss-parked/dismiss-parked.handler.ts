import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { DomainError } from '@app/policy';
import { ingestionDb } from '../../database';
import { parkedView } from '../../queries/list-parked/list-parked.query-handler';
import type { ParkedItemView } from '../../queries/list-parked/list-parked.query';
import { ParkedRepository } from '../../repositories/parked.repository';
import { DismissParkedCommand } from './dismiss-parked.command';

@CommandHandler(DismissParkedCommand)
export class DismissParkedHandler implements ICommandHandler<DismissParkedCommand, ParkedItemView> {
  constructor(private readonly store: EventStore) {}

  async execute({ parkedId, resolvedBy, reason }: DismissParkedCommand): Promise<ParkedItemView> {
    const parked = new ParkedRepository(ingestionDb(this.store.db));
    const item = await parked.find(parkedId);
    if (!item) throw new DomainError('INGESTION.UNKNOWN_PARKED', `no parked item ${parkedId}`, { details: { parkedId } });
    // Resolved only if still parked: of two curators at once, one dismisses and the other is told.
    if (!(await parked.resolve(parkedId, 'dismissed', { resolvedBy, reason }))) {
      const now = (await parked.find(parkedId))!;
      throw new DomainError('INGESTION.NOT_PARKED', `parked item ${parkedId} was already ${now.status}`, { details: { parkedId, status: now.status } });
    }
    return parkedView((await parked.find(parkedId))!);
  }
}
