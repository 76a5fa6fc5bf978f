import type { CorrectAction } from '../../domain';
import type { ActionCommandMeta } from '../action-writer';

/** Replace some content fields of an action, with a reason (never its status, id or relations). */
export class CorrectActionCommand {
  constructor(
    readonly data: CorrectAction['data'],
    /** Who asked, and `expectedVersion` (If-Match) where the caller saw a version. */
    readonly meta: ActionCommandMeta = {},
  ) {}
}
