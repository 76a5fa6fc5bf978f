import { Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { AppConfig } from '@app/config';
import { EventStore } from '@app/event-store';
import { AddSourceHandler } from './commands/add-source/add-source.handler';
import { DismissParkedHandler } from './commands/dismiss-parked/dismiss-parked.handler';
import { ReceiveWebhookHandler } from './commands/receive-webhook/receive-webhook.handler';
import { RetryParkedHandler } from './commands/retry-parked/retry-parked.handler';
import { RunSourceHandler } from './commands/run-source/run-source.handler';
import { UpdateSourceHandler } from './commands/update-source/update-source.handler';
import { ingestionDb } from './database';
import { INGESTION_SETTINGS, SourceRunner } from './pipeline/source-runner';
import { ListParkedHandler } from './queries/list-parked/list-parked.query-handler';
import { ListRunsHandler } from './queries/list-runs/list-runs.query-handler';
import { ListSourcesHandler } from './queries/list-sources/list-sources.query-handler';
import { SourceRepository } from './repositories/source.repository';
import { DEFAULT_SOURCES } from './sources/default-sources';
import type { IngestionSettings } from './sources/registry';

/** The environment's word on sources, from the one validated configuration. */
export function ingestionSettings(config: AppConfig): IngestionSettings {
  return {
    baseUrls: {
      'federal-register': config.FEDERAL_REGISTER_BASE_URL,
      'doj-press': config.DOJ_BASE_URL,
      courtlistener: config.COURTLISTENER_BASE_URL,
      legistar: config.LEGISTAR_BASE_URL,
    },
    courtListenerToken: config.COURTLISTENER_TOKEN,
    courtListenerWebhookSecret: config.COURTLISTENER_WEBHOOK_SECRET,
    leaseMs: config.INGESTION_LEASE_MS,
  };
}

/** Adds the default sources that are missing, at every start: an admin's changes are kept. */
async function addDefaultSources(store: EventStore): Promise<void> {
  const sources = new SourceRepository(ingestionDb(store.db));
  for (const source of DEFAULT_SOURCES) await sources.add(source);
}

@Injectable()
class DefaultSources implements OnApplicationBootstrap {
  constructor(private readonly store: EventStore) {}

  onApplicationBootstrap(): Promise<void> {
    return addDefaultSources(this.store);
  }
}

/**
 * Ingestion's runner and use cases; needs EventStoreModule and PolicyModule in the app. With a
 * `queue` provider (INGESTION_QUEUE), runs and webhook deliveries go to the worker; without
 * one they run in this process.
 */
@Module({})
export class IngestionModule {
  static forRoot(options: { settings: IngestionSettings; queue?: Provider }): DynamicModule {
    return {
      module: IngestionModule,
      imports: [CqrsModule],
      providers: [
        { provide: INGESTION_SETTINGS, useValue: options.settings },
        ...(options.queue ? [options.queue] : []),
        SourceRunner,
        DefaultSources,
        RunSourceHandler,
        AddSourceHandler,
        UpdateSourceHandler,
        RetryParkedHandler,
        DismissParkedHandler,
        ReceiveWebhookHandler,
        ListSourcesHandler,
        ListRunsHandler,
        ListParkedHandler,
      ],
      exports: [SourceRunner, INGESTION_SETTINGS, ...(options.queue ? [options.queue] : [])],
    };
  }
}
