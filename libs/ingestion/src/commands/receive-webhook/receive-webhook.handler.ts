import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '@app/event-store';
import { DomainError } from '@app/policy';
import { ingestionDb } from '../../database';
import { INGESTION_SETTINGS, SourceRunner } from '../../pipeline/source-runner';
import { INGESTION_QUEUE, type IngestionQueue } from '../../queue/ingestion-queue';
import { SourceRepository } from '../../repositories/source.repository';
import { normaliseWebhookDelivery } from '../../sources/courtlistener/courtlistener.normalise';
import type { IngestionSettings } from '../../sources/registry';
import { configOf, existingSource } from '../../sources/source-settings';
import type { CourtListenerConfig } from '../../sources/courtlistener/courtlistener.source';
import { ReceiveWebhookCommand, type WebhookReceipt } from './receive-webhook.command';

export const COURTLISTENER_SOURCE_ID = 'courtlistener';

@CommandHandler(ReceiveWebhookCommand)
export class ReceiveWebhookHandler implements ICommandHandler<ReceiveWebhookCommand, WebhookReceipt> {
  constructor(
    private readonly store: EventStore,
    private readonly runner: SourceRunner,
    @Inject(INGESTION_SETTINGS) private readonly settings: IngestionSettings,
    @Optional() @Inject(INGESTION_QUEUE) private readonly queue?: IngestionQueue,
  ) {}

  async execute({ secret, deliveryKey, body }: ReceiveWebhookCommand): Promise<WebhookReceipt> {
    const expected = this.settings.courtListenerWebhookSecret;
    // The same answer for a wrong secret and for webhooks being off: the URL is the secret.
    if (!expected || !sameSecret(secret, expected)) {
      throw new DomainError('INGESTION.UNKNOWN_WEBHOOK', 'no webhook at this address');
    }
    const key = deliveryKey ?? `sha256:${createHash('sha256').update(JSON.stringify(body ?? null)).digest('hex')}`;
    const db = ingestionDb(this.store.db);
    const taken = await db
      .insertInto('ingestion_webhook_deliveries')
      .values({ idempotency_key: key, source_id: COURTLISTENER_SOURCE_ID })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .executeTakeFirst();
    if (Number(taken.numInsertedOrUpdatedRows ?? 0) === 0) return { deliveryKey: key, duplicate: true, mode: 'none' };

    try {
      if (this.queue) {
        await this.queue.enqueueWebhook({ sourceId: COURTLISTENER_SOURCE_ID, deliveryKey: key, body });
        return { deliveryKey: key, duplicate: false, mode: 'queued' };
      }
      // A delivery holds a few docket entries: stored before answering, well within a second.
      await storeDelivery(this.store, this.runner, this.settings, body);
      return { deliveryKey: key, duplicate: false, mode: 'in-process' };
    } catch (err) {
      // Not taken after all: CourtListener's retry of this delivery must be done, not dropped.
      await forgetDelivery(this.store, key);
      throw err;
    }
  }
}

/** Forgets that a delivery was taken, so CourtListener's next retry of it is done (its storing failed for good). */
export async function forgetDelivery(store: EventStore, deliveryKey: string): Promise<void> {
  await ingestionDb(store.db).deleteFrom('ingestion_webhook_deliveries').where('idempotency_key', '=', deliveryKey).execute();
}

/** Stores a delivery's docket entries like a page (unreadable ones parked); used in-process and by the worker. */
export async function storeDelivery(store: EventStore, runner: SourceRunner, settings: IngestionSettings, body: unknown): Promise<void> {
  const source = await existingSource(new SourceRepository(ingestionDb(store.db)), COURTLISTENER_SOURCE_ID);
  const config = configOf(source, settings) as CourtListenerConfig;
  const { items, parked } = normaliseWebhookDelivery(body, config, new Date().toISOString());
  await runner.storeOnce(COURTLISTENER_SOURCE_ID, 'webhook', items, parked);
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
