import { Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { CqrsModule } from '@nestjs/cqrs';
import type { AppConfig } from '@app/config';
import type { Database } from '@app/db';
import { EventStoreModule } from '@app/event-store';
import { IngestionModule, ingestionQueueProvider, ingestionSettings, redisConnection, type IngestionSettings } from '@app/ingestion';
import { PolicyModule, asyncProjections, policyInlineProjections } from '@app/policy';
import { INGESTION_WORKER_OPTIONS, IngestionWorkers, type IngestionWorkerOptions } from './ingestion-workers';

export interface WorkerModuleOptions {
  config: AppConfig;
  db: Database;
  databaseUrl: string;
  /** Over what the configuration says (tests and the benchmark: an HTTP client that does not wait). */
  ingestion?: Partial<IngestionSettings>;
  /** How often sources are read again; a minute by default. */
  syncEveryMs?: number;
}

/**
 * The background process: runs the asynchronous projections from their checkpoints (unless
 * RUN_PROJECTIONS is off) and, with REDIS_URL, the ingestion queues (IngestionWorkers). Any number of workers (and APIs) may run together; each
 * projection batch is applied by one of them, and each source is run by one at a time.
 */
@Module({})
export class WorkerModule {
  static forRoot(options: WorkerModuleOptions): DynamicModule {
    const { config } = options;
    const projections = EventStoreModule.forRootAsync({
      useFactory: () => ({
        db: options.db,
        listenConnectionString: options.databaseUrl,
        inlineProjections: policyInlineProjections,
        projections: asyncProjections(config.LEDGER_SIGNING_KEY),
        // A deployment may keep projections to one worker and ingestion to others.
        runProjections: config.RUN_PROJECTIONS,
        batchSize: config.PROJECTION_BATCH_SIZE,
        pollMs: config.PROJECTION_POLL_MS,
      }),
    });
    // Without Redis there are no queues: the worker runs the projections only (sources run in the API and the CLI).
    if (!config.REDIS_URL) return { module: WorkerModule, imports: [CqrsModule.forRoot(), projections] };
    const settings: IngestionSettings = { ...ingestionSettings(config), ...options.ingestion };
    const workerOptions: IngestionWorkerOptions = {
      syncEveryMs: options.syncEveryMs ?? 60_000,
      jobLockMs: config.WORKER_JOB_LOCK_MS,
      shutdownMs: config.WORKER_SHUTDOWN_MS,
      busyRetryMs: settings.leaseMs ?? config.INGESTION_LEASE_MS,
    };
    return {
      module: WorkerModule,
      imports: [
        CqrsModule.forRoot(),
        projections,
        PolicyModule,
        IngestionModule.forRoot({ settings, queue: ingestionQueueProvider(config.REDIS_URL, config.BULLMQ_PREFIX) }),
        BullModule.forRoot({ connection: redisConnection(config.REDIS_URL), prefix: config.BULLMQ_PREFIX }),
      ],
      providers: [{ provide: INGESTION_WORKER_OPTIONS, useValue: workerOptions }, IngestionWorkers],
    };
  }
}
