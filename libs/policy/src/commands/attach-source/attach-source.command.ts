import type { AttachSource } from '../../domain';
import type { ActionCommandMeta } from '../action-writer';

/** Attach another source to an action. */
export class AttachSourceCommand {
  constructor(
    readonly data: AttachSource['data'],
    /** Who asked, and `expectedVersion` (If-Match) where the caller saw a version. */
    readonly meta: ActionCommandMeta = {},
  ) {}
}
