import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ActionWriter, type ActionCommandResult } from '../action-writer';
import { AcceptSuggestedCorrectionCommand } from './accept-suggested-correction.command';

@CommandHandler(AcceptSuggestedCorrectionCommand)
export class AcceptSuggestedCorrectionHandler implements ICommandHandler<AcceptSuggestedCorrectionCommand, ActionCommandResult> {
  constructor(private readonly writer: ActionWriter) {}

  execute({ data, meta }: AcceptSuggestedCorrectionCommand): Promise<ActionCommandResult> {
    return this.writer.write({ type: 'AcceptSuggestedCorrection', data }, meta);
  }
}
