import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ActionWriter, type ActionCommandResult } from '../action-writer';
import { CorrectActionCommand } from './correct-action.command';

@CommandHandler(CorrectActionCommand)
export class CorrectActionHandler implements ICommandHandler<CorrectActionCommand, ActionCommandResult> {
  constructor(private readonly writer: ActionWriter) {}

  execute({ data, meta }: CorrectActionCommand): Promise<ActionCommandResult> {
    return this.writer.write({ type: 'CorrectAction', data }, meta);
  }
}
