import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { actionCommandDataSchemas, DomainError, fieldErrorsFrom } from '@app/policy';
import { ingestionDb } from '../../database';
import { INGESTION_SETTINGS, SourceRunner } from '../../pipeline/source-runner';
import { runView } from '../../queries/list-sources/list-sources.query-handler';
import { parkedView } from '../../queries/list-parked/list-parked.query-handler';
import type { ParkedItemView } from '../../queries/list-parked/list-parked.query';
import type { RunView } from '../../queries/list-sources/list-sources.query';
import { ParkedRepository, type StoredParkedItem } from '../../repositories/parked.repository';
import { SourceRepository } from '../../repositories/source.repository';
import { adapterFor, sourceConfig, type IngestionSettings } from '../../sources/registry';
import { invalidSource } from '../../sources/source-settings';
import { normalised, type NormalisedItem, type ProposalData } from '../../sources/source';
import { RetryParkedCommand } from './retry-parked.command';

/** A parked item that is still waiting; `resolve` closes it unless someone closed it first. */
export async function openParkedItem(
  parked: ParkedRepository,
  id: number,
  resolve: () => Promise<boolean>,
): Promise<StoredParkedItem> {
  const item = await parked.find(id);
  if (!item) throw new DomainError('INGESTION.UNKNOWN_PARKED', `no parked item ${id}`, { details: { parkedId: id } });
  const notParked = () =>
    new DomainError('INGESTION.NOT_PARKED', `parked item ${id} was already ${item.status}`, { details: { parkedId: id, status: item.status } });
  if (item.status !== 'parked') throw notParked();
  if (!(await resolve())) throw notParked();
  return item;
}

@CommandHandler(RetryParkedCommand)
export class RetryParkedHandler implements ICommandHandler<RetryParkedCommand, { parked: ParkedItemView; run: RunView }> {
  constructor(
    private readonly store: EventStore,
    private readonly runner: SourceRunner,
    @Inject(INGESTION_SETTINGS) private readonly settings: IngestionSettings,
  ) {}

  async execute({ parkedId }: RetryParkedCommand): Promise<{ parked: ParkedItemView; run: RunView }> {
    const db = ingestionDb(this.store.db);
    const parked = new ParkedRepository(db);
    const item = await parked.find(parkedId);
    if (!item) throw new DomainError('INGESTION.UNKNOWN_PARKED', `no parked item ${parkedId}`, { details: { parkedId } });
    if (item.status !== 'parked') {
      throw new DomainError('INGESTION.NOT_PARKED', `parked item ${parkedId} was already ${item.status}`, { details: { parkedId, status: item.status } });
    }
    const items = await this.readAgain(item);
    const { run, refused } = await this.runner.storeOnce(item.sourceId, 'retry', items, [], { parkRefused: false });
    if (refused.length) throw stillUnreadable(parkedId, refused[0].reason);
    await openParkedItem(parked, parkedId, () => parked.resolve(parkedId, 'retried'));
    return { parked: parkedView((await parked.find(parkedId))!), run: runView(run) };
  }

  private async readAgain(item: StoredParkedItem): Promise<NormalisedItem[]> {
    if (item.stage === 'propose') {
      const proposal = actionCommandDataSchemas.ProposeAction.safeParse(item.raw);
      if (!proposal.success) throw stillUnreadable(item.id, proposal.error.message);
      return [normalised(item.raw as ProposalData)];
    }
    const source = await new SourceRepository(ingestionDb(this.store.db)).find(item.sourceId);
    if (!source) throw new DomainError('INGESTION.UNKNOWN_SOURCE', `no source ${item.sourceId}`, { details: { sourceId: item.sourceId } });
    const adapter = adapterFor(source.type);
    const parsed = adapter.configSchema.safeParse(sourceConfig(source, this.settings));
    if (!parsed.success) throw invalidSource(fieldErrorsFrom(parsed.error, 'config'));
    const config = parsed.data;
    const again = adapter.normaliseItems([item.raw], { sourceId: source.id, config, retrievedAt: new Date().toISOString() });
    if (again.parked.length) throw stillUnreadable(item.id, again.parked[0].reason);
    return again.items;
  }
}

function stillUnreadable(parkedId: number, reason: string): DomainError {
  return new DomainError('INGESTION.STILL_UNREADABLE', `parked item ${parkedId} still cannot be stored: ${reason}`, { details: { parkedId } });
}
