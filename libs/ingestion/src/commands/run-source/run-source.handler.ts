import { Inject, Logger, Optional } from '@nestjs/common';
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
export class RunSourceHandler implements ICommandHandler<RunSourceCommand, RunStarted> {
  private readonly logger = new Logger('RunSource');

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
      this.runner.run(sourceId, { trigger, since, onStart: resolve }).then(
        (run) => this.logger.log(`source ${sourceId} run ${run.id}: ${run.proposed} proposed, ${run.unchanged} unchanged, ${run.parked} parked`),
        (err: unknown) => {
          reject(err);
          this.logger.warn(`source ${sourceId}: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
    });
    return { sourceId, mode: 'in-process', run: runView(await started) };
  }
}
