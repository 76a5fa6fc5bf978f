import type { MergeActions } from '../../domain';
import type { ActionCommandMeta } from '../action-writer';

/** Fold a duplicate into its survivor, with a reason: the duplicate leaves the timelines, its sources go on. */
export class MergeActionsCommand {
  constructor(
    readonly data: MergeActions['data'],
    /** Who asked, and `expectedVersion` (If-Match): the version of the duplicate the curator saw. */
    readonly meta: ActionCommandMeta = {},
  ) {}
}
