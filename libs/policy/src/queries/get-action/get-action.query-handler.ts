import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '../../domain';
import { ActionRepository } from '../../repositories/action.repository';
import { GetActionQuery, type ActionDetail } from './get-action.query';

@QueryHandler(GetActionQuery)
export class GetActionHandler implements IQueryHandler<GetActionQuery, ActionDetail> {
  constructor(private readonly actions: ActionRepository) {}

  async execute({ actionId }: GetActionQuery): Promise<ActionDetail> {
    const action = await this.actions.find(actionId);
    if (!action) throw new DomainError('ACTION.UNKNOWN', `no action ${actionId}`, { details: { actionId } });
    return {
      ...action.state,
      version: action.version,
      recordedAt: action.recordedAt.toISOString(),
      updatedAt: action.updatedAt.toISOString(),
      incoming: await this.actions.incomingLinks(actionId),
    };
  }
}
