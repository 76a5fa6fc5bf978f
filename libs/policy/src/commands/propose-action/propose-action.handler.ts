import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ActionWriter, type ActionCommandResult } from '../action-writer';
import { ProposeActionCommand } from './propose-action.command';

@CommandHandler(ProposeActionCommand)
export class ProposeActionHandler implements ICommandHandler<ProposeActionCommand, ActionCommandResult> {
  constructor(private readonly writer: ActionWriter) {}

  execute({ data, meta }: ProposeActionCommand): Promise<ActionCommandResult> {
    return this.writer.write({ type: 'ProposeAction', data }, meta);
  }
}
