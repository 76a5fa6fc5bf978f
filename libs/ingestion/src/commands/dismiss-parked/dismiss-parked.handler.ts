import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { ingestionDb } from '../../database';
import { parkedView } from '../../queries/list-parked/list-parked.query-handler';
import type { ParkedItemView } from '../../queries/list-parked/list-parked.query';
import { ParkedRepository } from '../../repositories/parked.repository';
import { openParkedItem } from '../retry-parked/retry-parked.handler';
import { DismissParkedCommand } from './dismiss-parked.command';

@CommandHandler(DismissParkedCommand)
export class DismissParkedHandler implements ICommandHandler<DismissParkedCommand, ParkedItemView> {
  constructor(private readonly store: EventStore) {}

  async execute({ parkedId }: DismissParkedCommand): Promise<ParkedItemView> {
    const parked = new ParkedRepository(ingestionDb(this.store.db));
    await openParkedItem(parked, parkedId, () => parked.resolve(parkedId, 'dismissed'));
    return parkedView((await parked.find(parkedId))!);
  }
}
