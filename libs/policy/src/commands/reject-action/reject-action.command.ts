import type { RejectProposal } from '../../domain';
import type { ActionCommandMeta } from '../action-writer';

/** Reject a proposed action, with a reason. */
export class RejectActionCommand {
  constructor(
    readonly data: RejectProposal['data'],
    /** Who asked, and `expectedVersion` (If-Match) where the caller saw a version. */
    readonly meta: ActionCommandMeta = {},
  ) {}
}
