import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { EventStore, LedgerSeals, type LedgerProof } from '@app/event-store';
import { DomainError } from '../../domain';
import { actionStream } from '../../streams';
import { GetActionProofQuery } from './get-action-proof.query';

@QueryHandler(GetActionProofQuery)
export class GetActionProofHandler implements IQueryHandler<GetActionProofQuery, LedgerProof> {
  private readonly seals: LedgerSeals;

  constructor(store: EventStore) {
    this.seals = new LedgerSeals(store.db);
  }

  async execute({ actionId }: GetActionProofQuery): Promise<LedgerProof> {
    const proof = await this.seals.proveStream(actionStream(actionId));
    if (proof.events.length === 0) throw new DomainError('ACTION.UNKNOWN', `no action ${actionId}`, { details: { actionId } });
    return proof;
  }
}
