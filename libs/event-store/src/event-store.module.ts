import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CqrsModule, EventBus, type IEvent } from '@nestjs/cqrs';
import type { Database } from '@app/db/connection';
import { EventStore, storeDb, type EventStoreOptions } from './event-store';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import type { StoredEvent } from './types';
import type { Upcaster } from './upcasters';

export interface EventStoreModuleConfig {
  /** The process's connection; the store views it through its own tables. */
  db: Database;
  /** For LISTEN; without it runners wake on local appends and polling. */
  listenConnectionString?: string;
  projections?: readonly Projection[];
  inlineProjections?: readonly Projection[];
  upcasters?: readonly Upcaster[];
  groupCommit?: EventStoreOptions['groupCommit'];
  /** Run the async projections in this process (API and worker may both do so). */
  runProjections?: boolean;
  batchSize?: number;
  pollMs?: number;
}

export const EVENT_STORE_CONFIG = Symbol('EVENT_STORE_CONFIG');

/** Published on the EventBus for each event, only after it has been committed. */
export class EventAppended implements IEvent {
  constructor(readonly event: StoredEvent) {}
}

@Injectable()
class EventStoreLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private unsubscribe?: () => void;

  constructor(
    @Inject(EVENT_STORE_CONFIG) private readonly config: EventStoreModuleConfig,
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly eventBus: EventBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.store.onAppended((events) =>
      this.eventBus.publishAll(events.map((e) => new EventAppended(e))),
    );
    // Checkpoint rows exist either way, so /ready lists every projection (start creates them too).
    if (this.config.runProjections) await this.runner.start();
    else await this.runner.ensureCheckpoints();
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.runner.stop();
  }
}

/** Provides the EventStore and the ProjectionRunner to a Nest application. */
@Module({})
export class EventStoreModule {
  static forRootAsync(options: {
    imports?: DynamicModule['imports'];
    inject?: any[];
    useFactory: (...args: any[]) => EventStoreModuleConfig | Promise<EventStoreModuleConfig>;
  }): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      imports: [CqrsModule, ...(options.imports ?? [])],
      providers: [
        { provide: EVENT_STORE_CONFIG, inject: options.inject ?? [], useFactory: options.useFactory },
        {
          provide: EventStore,
          inject: [EVENT_STORE_CONFIG],
          useFactory: (c: EventStoreModuleConfig) =>
            new EventStore(storeDb(c.db), { upcasters: c.upcasters, inlineProjections: c.inlineProjections, groupCommit: c.groupCommit }),
        },
        {
          provide: ProjectionRunner,
          inject: [EVENT_STORE_CONFIG, EventStore],
          useFactory: (c: EventStoreModuleConfig, store: EventStore) =>
            new ProjectionRunner(store, c.projections ?? [], {
              batchSize: c.batchSize,
              pollMs: c.pollMs,
              listenConnectionString: c.listenConnectionString,
            }),
        },
        EventStoreLifecycle,
      ],
      exports: [EventStore, ProjectionRunner, EVENT_STORE_CONFIG],
    };
  }
}
