import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ActionWriter, type ActionCommandResult } from '../action-writer';
import { RejectActionCommand } from './reject-action.command';

@CommandHandler(RejectActionCommand)
export class RejectActionHandler implements ICommandHandler<RejectActionCommand, ActionCommandResult> {
  constructor(private readonly writer: ActionWriter) {}

  execute({ data, meta }: RejectActionCommand): Promise<ActionCommandResult> {
    return this.writer.write({ type: 'RejectProposal', data }, meta);
  }
}
