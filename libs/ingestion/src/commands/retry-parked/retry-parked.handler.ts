import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { actionCommandDataSchemas, DomainError } from '@app/policy';
import { ingestionDb } from '../../database';
import { INGESTION_SETTINGS, SourceRunner } from '../../pipeline/source-runner';
import { runView } from '../../queries/list-sources/list-sources.query-handler';
import { parkedView } from '../../queries/list-parked/list-parked.query-handler';
import type { ParkedItemView } from '../../queries/list-parked/list-parked.query';
import type { RunView } from '../../queries/list-sources/list-sources.query';
import { ParkedRepository, type StoredParkedItem } from '../../repositories/parked.repository';
import { SourceRepository } from '../../repositories/source.repository';
import { adapterFor, type IngestionSettings } from '../../sources/registry';
import { configOf, existingSource } from '../../sources/source-settings';
import { normalised, type NormalisedItem, type ProposalData } from '../../sources/source';
import { RetryParkedCommand } from './retry-parked.command';

@CommandHandler(RetryParkedCommand)
export class RetryParkedHandler implements ICommandHandler<RetryParkedCommand, { parked: ParkedItemView; run: RunView }> {
  constructor(
    private readonly store: EventStore,
    private readonly runner: SourceRunner,
    @Inject(INGESTION_SETTINGS) private readonly settings: IngestionSettings,
  ) {}

  async execute({ parkedId, resolvedBy }: RetryParkedCommand): Promise<{ parked: ParkedItemView; run: RunView }> {
    const db = ingestionDb(this.store.db);
    const parked = new ParkedRepository(db);
    const item = await parked.find(parkedId);
    if (!item) throw new DomainError('INGESTION.UNKNOWN_PARKED', `no parked item ${parkedId}`, { details: { parkedId } });
    if (item.status !== 'parked') {
      throw new DomainError('INGESTION.NOT_PARKED', `parked item ${parkedId} was already ${item.status}`, { details: { parkedId, status: item.status } });
    }
    const items = await this.readAgain(item);
    // Stored and marked retried in one transaction; refused again, it stays parked as it was.
    const { run, refused } = await this.runner.storeOnce(item.sourceId, 'retry', items, [], { parkRefused: false, retried: { parkedId, by: resolvedBy } });
    if (refused.length) throw stillUnreadable(parkedId, refused[0].reason);
    return { parked: parkedView((await parked.find(parkedId))!), run: runView(run) };
  }

  private async readAgain(item: StoredParkedItem): Promise<NormalisedItem[]> {
    if (item.stage === 'propose') {
      const proposal = actionCommandDataSchemas.ProposeAction.safeParse(item.raw);
      if (!proposal.success) throw stillUnreadable(item.id, proposal.error.message);
      return [normalised(item.raw as ProposalData)];
    }
    const source = await existingSource(new SourceRepository(ingestionDb(this.store.db)), item.sourceId);
    const adapter = adapterFor(source.type);
    const config = configOf(source, this.settings);
    const again = adapter.normaliseItems([item.raw], { sourceId: source.id, config, retrievedAt: new Date().toISOString() });
    if (again.parked.length) throw stillUnreadable(item.id, again.parked[0].reason);
    return again.items;
  }
}

function stillUnreadable(parkedId: number, reason: string): DomainError {
  return new DomainError('INGESTION.STILL_UNREADABLE', `parked item ${parkedId} still cannot be stored: ${reason}`, { details: { parkedId } });
}
