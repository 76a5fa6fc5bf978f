import type { AcceptSuggestedCorrection } from '../../domain';
import type { ActionCommandMeta } from '../action-writer';

/** Apply the correction ingestion suggested for a published action (what still differs of it). */
export class AcceptSuggestedCorrectionCommand {
  constructor(
    readonly data: AcceptSuggestedCorrection['data'],
    readonly meta: ActionCommandMeta = {},
  ) {}
}
