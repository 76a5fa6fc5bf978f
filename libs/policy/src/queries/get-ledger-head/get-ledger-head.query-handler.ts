import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore, LedgerSeals, type SignedLedgerHead } from '@app/event-store';
import { GetLedgerHeadQuery } from './get-ledger-head.query';

@QueryHandler(GetLedgerHeadQuery)
export class GetLedgerHeadHandler implements IQueryHandler<GetLedgerHeadQuery, SignedLedgerHead> {
  private readonly seals: LedgerSeals;

  constructor(store: EventStore) {
    this.seals = new LedgerSeals(store.db);
  }

  execute(): Promise<SignedLedgerHead> {
    return this.seals.head();
  }
}
