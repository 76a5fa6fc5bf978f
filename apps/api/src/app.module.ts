import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { Kysely } from 'kysely';
import type { AppConfig } from '@app/config';
import { EventStoreModule } from '@app/event-store';
import { PolicyModule, policyInlineProjections, policyProjections } from '@app/policy';
import { ActionsController } from './actions.controller';
import { ApiKeyGuard } from './api-key.guard';
import { EventsController } from './events.controller';
import { HealthController } from './health.controller';
import { JurisdictionsController } from './jurisdictions.controller';
import { KeysController } from './keys.controller';
import { ProblemDetailsFilter } from './problem-details.filter';
import { APP_CONFIG, DATABASE } from './tokens';

export interface ApiModuleOptions {
  config: AppConfig;
  db: Kysely<any>;
  databaseUrl: string;
}

@Module({})
export class ApiModule {
  static forRoot({ config, db, databaseUrl }: ApiModuleOptions): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule.forRootAsync({
          useFactory: () => ({
            db,
            listenConnectionString: databaseUrl,
            inlineProjections: policyInlineProjections,
            projections: policyProjections,
            runProjections: config.RUN_PROJECTIONS,
            batchSize: config.PROJECTION_BATCH_SIZE,
            pollMs: config.PROJECTION_POLL_MS,
          }),
        }),
        PolicyModule,
      ],
      controllers: [JurisdictionsController, ActionsController, EventsController, KeysController, HealthController],
      providers: [
        { provide: DATABASE, useValue: db },
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
