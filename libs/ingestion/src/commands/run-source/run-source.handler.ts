import { Inject, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { ingestionDb } from '../../database';
import { SourceRunner } from '../../pipeline/source-runner';
import { runView } from '../../queries/list-sources/list-sources.query-handler';
import { INGESTION_QUEUE, type IngestionQueue } from '../../queue/ingestion-queue';
import { SourceRepository } from '../../repositories/source.repository';
import { existingSource } from '../../sources/source-settings';
import type { StoredRun } from '../../repositories/run.repository';
import { RunSourceCommand, type RunStarted } from './run-source.command';

@CommandHandler(RunSourceCommand)
export class RunSourceHandler implements ICommandHandler<RunSourceCommand, RunStarted>, OnApplicationShutdown {
  private readonly logger = new Logger('RunSource');
  /** In-process runs still going, so a shutdown can stop them cleanly. */
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(
    private readonly store: EventStore,
    private readonly runner: SourceRunner,
    @Optional() @Inject(INGESTION_QUEUE) private readonly queue?: IngestionQueue,
  ) {}

  async execute({ sourceId, trigger, since }: RunSourceCommand): Promise<RunStarted> {
    // Asked by hand, a disabled source runs too: disabling stops the schedule, not the curator.
    await existingSource(new SourceRepository(ingestionDb(this.store.db)), sourceId);
    if (this.queue) return { sourceId, mode: 'queued', jobId: await this.queue.enqueueRun({ sourceId, trigger, since }) };

    // In-process: answer once the run is recorded and holds its source; it goes on after.
    const started = new Promise<StoredRun>((resolve, reject) => {
      const run = this.runner
        .run(sourceId, {
          trigger,
          since,
          onStart: resolve,
          // Stopping after a stored page loses nothing: the next run resumes from its cursor.
          onPage: () => {
            if (this.stopping) throw new Error('stopped after a stored page: the process is shutting down; the next run resumes from the cursor');
          },
        })
        .then(
          (r) => this.logger.log(`source ${sourceId} run ${r.id}: ${r.proposed} proposed, ${r.unchanged} unchanged, ${r.parked} parked`),
          (err: unknown) => {
            reject(err);
            this.logger.warn(`source ${sourceId}: ${err instanceof Error ? err.message : String(err)}`);
          },
        )
        .finally(() => this.running.delete(run));
      this.running.add(run);
    });
    return { sourceId, mode: 'in-process', run: runView(await started) };
  }

  /** Stops in-process runs at their next stored page and waits for them, before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled(this.running);
  }
}
