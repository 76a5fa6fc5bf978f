import type { LinkAction } from '../../domain';
import type { ActionCommandMeta } from '../action-writer';

/** Link an action to another (`this responds_to target`). */
export class LinkActionsCommand {
  constructor(
    readonly data: LinkAction['data'],
    /** Who asked, and `expectedVersion` (If-Match) where the caller saw a version. */
    readonly meta: ActionCommandMeta = {},
  ) {}
}
