import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ActionWriter, type ActionCommandResult } from '../action-writer';
import { RetractActionCommand } from './retract-action.command';

@CommandHandler(RetractActionCommand)
export class RetractActionHandler implements ICommandHandler<RetractActionCommand, ActionCommandResult> {
  constructor(private readonly writer: ActionWriter) {}

  execute({ data, meta }: RetractActionCommand): Promise<ActionCommandResult> {
    return this.writer.write({ type: 'RetractAction', data }, meta);
  }
}
