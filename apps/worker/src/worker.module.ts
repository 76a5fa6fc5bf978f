import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { AppConfig } from '@app/config';
import type { Database } from '@app/db';
import { EventStoreModule } from '@app/event-store';
import { policyInlineProjections, policyProjections } from '@app/policy';

/**
 * The background process: runs the asynchronous projections from their checkpoints. Any
 * number of workers (and APIs) may run together; each batch is applied by one of them.
 */
@Module({})
export class WorkerModule {
  static forRoot(options: { config: AppConfig; db: Database; databaseUrl: string }): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule.forRootAsync({
          useFactory: () => ({
            db: options.db,
            listenConnectionString: options.databaseUrl,
            inlineProjections: policyInlineProjections,
            projections: policyProjections,
            runProjections: true,
            batchSize: options.config.PROJECTION_BATCH_SIZE,
            pollMs: options.config.PROJECTION_POLL_MS,
          }),
        }),
      ],
    };
  }
}
