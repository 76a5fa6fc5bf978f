import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { DomainError, fieldErrorsFrom, type FieldError } from '@app/policy';
import { ingestionDb } from '../../database';
import { INGESTION_SETTINGS } from '../../pipeline/source-runner';
import { sourceView } from '../../queries/list-sources/list-sources.query-handler';
import type { SourceView } from '../../queries/list-sources/list-sources.query';
import { SourceRepository } from '../../repositories/source.repository';
import type { IngestionSettings } from '../../sources/registry';
import { checkSourceConfig, invalidSource, scheduleSchema, sourceIdSchema, sourceTypeOf } from '../../sources/source-settings';
import { AddSourceCommand } from './add-source.command';

/** Daily at 06:00 UTC unless the admin says otherwise. */
const DEFAULT_SCHEDULE = '0 6 * * *';

@CommandHandler(AddSourceCommand)
export class AddSourceHandler implements ICommandHandler<AddSourceCommand, SourceView> {
  constructor(
    private readonly store: EventStore,
    @Inject(INGESTION_SETTINGS) private readonly settings: IngestionSettings,
  ) {}

  async execute({ source }: AddSourceCommand): Promise<SourceView> {
    // Whoever asks (the API checks these too, with the request's own paths), a bad id or schedule never lands.
    const errors = [
      ...fieldErrorsOf(sourceIdSchema.safeParse(source.id), 'id'),
      ...fieldErrorsOf(scheduleSchema.optional().safeParse(source.schedule), 'schedule'),
    ];
    if (errors.length) throw invalidSource(errors);
    checkSourceConfig(source.id, source.config, this.settings);
    const sources = new SourceRepository(ingestionDb(this.store.db));
    const added = await sources.add({
      id: source.id,
      type: sourceTypeOf(source.id),
      name: source.name,
      config: source.config,
      enabled: source.enabled ?? true,
      schedule: source.schedule ?? DEFAULT_SCHEDULE,
    });
    if (!added) throw new DomainError('INGESTION.SOURCE_EXISTS', `source ${source.id} exists`, { details: { sourceId: source.id } });
    return sourceView((await sources.find(source.id))!, null, 0, null);
  }
}

function fieldErrorsOf(result: { success: boolean; error?: Parameters<typeof fieldErrorsFrom>[0] }, path: string): FieldError[] {
  return result.success || !result.error ? [] : fieldErrorsFrom(result.error, path);
}
