import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ActionWriter, type ActionCommandResult } from '../action-writer';
import { DismissSuggestedCorrectionCommand } from './dismiss-suggested-correction.command';

@CommandHandler(DismissSuggestedCorrectionCommand)
export class DismissSuggestedCorrectionHandler implements ICommandHandler<DismissSuggestedCorrectionCommand, ActionCommandResult> {
  constructor(private readonly writer: ActionWriter) {}

  execute({ data, meta }: DismissSuggestedCorrectionCommand): Promise<ActionCommandResult> {
    return this.writer.write({ type: 'DismissSuggestedCorrection', data }, meta);
  }
}
