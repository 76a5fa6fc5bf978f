import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ActionWriter, type ActionCommandResult } from '../action-writer';
import { AttachSourceCommand } from './attach-source.command';

@CommandHandler(AttachSourceCommand)
export class AttachSourceHandler implements ICommandHandler<AttachSourceCommand, ActionCommandResult> {
  constructor(private readonly writer: ActionWriter) {}

  execute({ data, meta }: AttachSourceCommand): Promise<ActionCommandResult> {
    return this.writer.write({ type: 'AttachSource', data }, meta);
  }
}
