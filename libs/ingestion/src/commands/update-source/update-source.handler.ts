import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { fieldErrorsFrom } from '@app/policy';
import { ingestionDb } from '../../database';
import { INGESTION_SETTINGS } from '../../pipeline/source-runner';
import { sourceView } from '../../queries/list-sources/list-sources.query-handler';
import type { SourceView } from '../../queries/list-sources/list-sources.query';
import { ParkedRepository } from '../../repositories/parked.repository';
import { RunRepository } from '../../repositories/run.repository';
import { SourceRepository } from '../../repositories/source.repository';
import type { IngestionSettings } from '../../sources/registry';
import { configOf, existingSource, invalidSource, scheduleSchema } from '../../sources/source-settings';
import { UpdateSourceCommand } from './update-source.command';

@CommandHandler(UpdateSourceCommand)
export class UpdateSourceHandler implements ICommandHandler<UpdateSourceCommand, SourceView> {
  constructor(
    private readonly store: EventStore,
    @Inject(INGESTION_SETTINGS) private readonly settings: IngestionSettings,
  ) {}

  async execute({ sourceId, changes }: UpdateSourceCommand): Promise<SourceView> {
    const db = ingestionDb(this.store.db);
    const sources = new SourceRepository(db);
    const source = await existingSource(sources, sourceId);
    const schedule = scheduleSchema.optional().safeParse(changes.schedule);
    if (!schedule.success) throw invalidSource(fieldErrorsFrom(schedule.error, 'schedule'));
    if (changes.config !== undefined) configOf({ type: source.type, config: changes.config }, this.settings);
    const updated = (await sources.update(sourceId, changes))!;
    const [latest, parked] = await Promise.all([new RunRepository(db).latest(), new ParkedRepository(db).openCounts()]);
    return sourceView(updated, latest.get(sourceId) ?? null, parked.get(sourceId) ?? 0, null);
  }
}
