import type { ActionCommand } from '../../domain';
import type { CommandMeta } from '../../streams';

/** Any command on one policy action; `expectedVersion` is the If-Match the caller sent. */
export class ExecuteActionCommand {
  constructor(
    readonly command: ActionCommand,
    readonly meta: CommandMeta & { expectedVersion?: number } = {},
  ) {}
}

export interface ActionCommandResult {
  id: string;
  version: number;
  position: number;
  /** True when an Idempotency-Key matched an earlier request and nothing was appended. */
  replayed: boolean;
}
