import type { DismissSuggestedCorrection } from '../../domain';
import type { ActionCommandMeta } from '../action-writer';

/** Set aside the correction ingestion suggested, with a reason; the action stays as it is. */
export class DismissSuggestedCorrectionCommand {
  constructor(
    readonly data: DismissSuggestedCorrection['data'],
    readonly meta: ActionCommandMeta = {},
  ) {}
}
