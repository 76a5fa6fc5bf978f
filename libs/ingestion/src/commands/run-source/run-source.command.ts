import type { RunTrigger } from '../../database';
import type { RunView } from '../../queries/list-sources/list-sources.query';

/** Run a source now: queued for the worker when there is a queue, else in this process. */
export class RunSourceCommand {
  constructor(
    readonly sourceId: string,
    readonly trigger: RunTrigger = 'manual',
    /** 'YYYY-MM-DD': read from this date instead of the cursor. */
    readonly since?: string,
  ) {}
}

export type RunStarted = { sourceId: string; mode: 'queued'; jobId: string } | { sourceId: string; mode: 'in-process'; run: RunView };
