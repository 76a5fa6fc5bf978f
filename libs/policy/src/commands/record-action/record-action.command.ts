import type { RecordAction } from '../../domain';
import type { ActionCommandMeta } from '../action-writer';

/** Record a curated action, published at once; `relations` link it to earlier actions. */
export class RecordActionCommand {
  constructor(
    readonly data: RecordAction['data'],
    /** Who asked. */
    readonly meta: ActionCommandMeta = {},
  ) {}
}
