import type { PublishProposal } from '../../domain';
import type { ActionCommandMeta } from '../action-writer';

/** Publish a proposed action. */
export class PublishActionCommand {
  constructor(
    readonly data: PublishProposal['data'],
    /** Who asked, and `expectedVersion` (If-Match) where the caller saw a version. */
    readonly meta: ActionCommandMeta = {},
  ) {}
}
