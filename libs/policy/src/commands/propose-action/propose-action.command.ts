import type { ProposeAction } from '../../domain';
import type { ActionCommandMeta } from '../action-writer';

/** Propose an action found by ingestion; it waits for a curator to publish or reject it. `proposal` says where it came from. */
export class ProposeActionCommand {
  constructor(
    readonly data: ProposeAction['data'],
    /** Who asked. */
    readonly meta: ActionCommandMeta = {},
  ) {}
}
