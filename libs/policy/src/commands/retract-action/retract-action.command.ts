import type { RetractAction } from '../../domain';
import type { ActionCommandMeta } from '../action-writer';

/** Retract an action, with a reason: it leaves the timelines, its history stays. */
export class RetractActionCommand {
  constructor(
    readonly data: RetractAction['data'],
    /** Who asked, and `expectedVersion` (If-Match) where the caller saw a version. */
    readonly meta: ActionCommandMeta = {},
  ) {}
}
