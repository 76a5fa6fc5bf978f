import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ActionWriter, type ActionCommandResult } from '../action-writer';
import { RecordActionCommand } from './record-action.command';

@CommandHandler(RecordActionCommand)
export class RecordActionHandler implements ICommandHandler<RecordActionCommand, ActionCommandResult> {
  constructor(private readonly writer: ActionWriter) {}

  execute({ data, meta }: RecordActionCommand): Promise<ActionCommandResult> {
    return this.writer.write({ type: 'RecordAction', data }, meta);
  }
}
