import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ActionWriter, type ActionCommandResult } from '../action-writer';
import { LinkActionsCommand } from './link-actions.command';

@CommandHandler(LinkActionsCommand)
export class LinkActionsHandler implements ICommandHandler<LinkActionsCommand, ActionCommandResult> {
  constructor(private readonly writer: ActionWriter) {}

  execute({ data, meta }: LinkActionsCommand): Promise<ActionCommandResult> {
    return this.writer.write({ type: 'LinkAction', data }, meta);
  }
}
