import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ActionWriter, type ActionCommandResult } from '../action-writer';
import { PublishActionCommand } from './publish-action.command';

@CommandHandler(PublishActionCommand)
export class PublishActionHandler implements ICommandHandler<PublishActionCommand, ActionCommandResult> {
  constructor(private readonly writer: ActionWriter) {}

  execute({ data, meta }: PublishActionCommand): Promise<ActionCommandResult> {
    return this.writer.write({ type: 'PublishProposal', data }, meta);
  }
}
