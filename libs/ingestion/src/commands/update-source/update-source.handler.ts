import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { DomainError, fieldErrorsFrom } from '@app/policy';
import { ingestionDb } from '../../database';
import { INGESTION_SETTINGS } from '../../pipeline/source-runner';
import { sourceView } from '../../queries/list-sources/list-sources.query-handler';
import type { SourceView } from '../../queries/list-sources/list-sources.query';
import { ParkedRepository } from '../../repositories/parked.repository';
import { RunRepository } from '../../repositories/run.repository';
import { SourceRepository } from '../../repositories/source.repository';
import type { IngestionSettings } from '../../sources/registry';
import { checkSourceConfig, invalidSource, scheduleSchema } from '../../sources/source-settings';
import { UpdateSourceCommand } from './update-source.command';

@CommandHandler(UpdateSourceCommand)
export class UpdateSourceHandler implements ICommandHandler<UpdateSourceCommand, SourceView> {
  constructor(
    private readonly store: EventStore,
    @Inject(INGESTION_SETTINGS) private readonly settings: IngestionSettings,
  ) {}

  async execute({ sourceId, changes }: UpdateSourceCommand): Promise<SourceView> {
    const schedule = scheduleSchema.optional().safeParse(changes.schedule);
    if (!schedule.success) throw invalidSource(fieldErrorsFrom(schedule.error, 'schedule'));
    if (changes.config !== undefined) checkSourceConfig(sourceId, changes.config, this.settings);
    const db = ingestionDb(this.store.db);
    const updated = await new SourceRepository(db).update(sourceId, changes);
    if (!updated) throw new DomainError('INGESTION.UNKNOWN_SOURCE', `no source ${sourceId}`, { details: { sourceId } });
    const [latest, parked] = await Promise.all([new RunRepository(db).latest(), new ParkedRepository(db).openCounts()]);
    return sourceView(updated, latest.get(sourceId) ?? null, parked.get(sourceId) ?? 0, null);
  }
}
