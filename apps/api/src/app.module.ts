import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule, type Params } from 'nestjs-pino';
import PinoPretty from 'pino-pretty';
import type { AppConfig } from '@app/config';
import type { Database } from '@app/db';
import { EventStoreModule } from '@app/event-store';
import { IngestionModule, ingestionQueueProvider, ingestionSettings } from '@app/ingestion';
import { PolicyModule, asyncProjections, policyInlineProjections } from '@app/policy';
import { ActionsController } from './actions.controller';
import { CompareController } from './compare.controller';
import { ApiKeyGuard } from './api-key.guard';
import { NulTextGuard } from './nul-text.guard';
import { EventsController } from './events.controller';
import { EventStreams } from './event-stream';
import { HealthController } from './health.controller';
import { IngestionController } from './ingestion.controller';
import { DatabaseHealthIndicator, ProjectionsHealthIndicator } from './health.indicators';
import { JurisdictionsController } from './jurisdictions.controller';
import { KeysController } from './keys.controller';
import { LedgerController } from './ledger.controller';
import { ProblemDetailsFilter } from './problem-details.filter';
import { ReadCache } from './read-cache';
import { RouteTable } from './route-table';
import { APP_CONFIG, DATABASE } from './tokens';

export interface ApiModuleOptions {
  /** The routes Fastify serves, for 405s (app.ts fills it); an empty table without. */
  routes?: RouteTable;
  config: AppConfig;
  db: Database;
  databaseUrl: string;
}

@Module({})
export class ApiModule {
  static forRoot({ config, db, databaseUrl, routes }: ApiModuleOptions): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        // Silent means no request logger at all: pino-http at level silent still builds a child
        // logger and runs Nest's middleware chain for every request (a few % of a timeline read).
        ...(config.LOG_LEVEL === 'silent' ? [] : [LoggerModule.forRoot(loggerParams(config))]),
        // Its logger off: a probe every few seconds would log each failed check again, and
        // each probe's request line already records the 503.
        TerminusModule.forRoot({ logger: false }),
        CqrsModule.forRoot(),
        EventStoreModule.forRootAsync({
          useFactory: () => ({
            db,
            listenConnectionString: databaseUrl,
            inlineProjections: policyInlineProjections,
            projections: asyncProjections(config.LEDGER_SIGNING_KEY),
            runProjections: config.RUN_PROJECTIONS,
            batchSize: config.PROJECTION_BATCH_SIZE,
            pollMs: config.PROJECTION_POLL_MS,
            // Concurrent writes share transactions (docs/benchmarks-api.md): an action write
            // is several statements, and most of its cost is round trips, not work.
            groupCommit: { inFlight: 1, maxBatch: 64 },
          }),
        }),
        PolicyModule,
        // With Redis, "run now" and webhook deliveries go to the worker's queues; without it
        // (the embedded default) they run in this process. The prefix is the worker's, so both name the same queues.
        IngestionModule.forRoot({
          settings: ingestionSettings(config),
          queue: config.REDIS_URL ? ingestionQueueProvider(config.REDIS_URL, config.BULLMQ_PREFIX) : undefined,
        }),
      ],
      controllers: [JurisdictionsController, ActionsController, IngestionController, EventsController, KeysController, HealthController, CompareController, LedgerController],
      providers: [
        { provide: DATABASE, useValue: db },
        { provide: APP_CONFIG, useValue: config },
        { provide: RouteTable, useValue: routes ?? new RouteTable() },
        // In this order: a NUL is refused before a key is even looked up.
        { provide: APP_GUARD, useClass: NulTextGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        DatabaseHealthIndicator,
        ProjectionsHealthIndicator,
        EventStreams,
        ReadCache,
      ],
    };
  }
}

/**
 * Request logs through pino-http. Fastify names each request (its X-Request-Id, else a UUID:
 * see app.ts) and hands that name to Nest's middleware as req.id, which pino-http keeps: the
 * reqId on a request's lines is the causation id of the events it appended.
 */
function loggerParams(config: AppConfig): Params {
  const options = {
    level: config.LOG_LEVEL,
    // What is logged while serving a request carries its id; only the completion line carries
    // the request itself.
    quietReqLogger: true,
    serializers: {
      // The fields Fastify logged: no headers, which carry API keys.
      req: (req: { method: string; url: string; remoteAddress?: string }) => ({ method: req.method, url: req.url, remoteAddress: req.remoteAddress }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // The exception filter logs a 5xx with its cause; pino-http's stand-in error ("failed with
    // status code 503") would only add a stack through its own internals.
    customErrorObject: (_req: unknown, _res: unknown, _error: Error, { err, ...line }: Record<string, unknown>) => line,
  };
  // Readable lines for a person at a terminal; JSON wherever logs are collected.
  if (process.stdout.isTTY && config.NODE_ENV !== 'production') {
    return { pinoHttp: [options, PinoPretty({ sync: true, singleLine: true, ignore: 'pid,hostname' })] };
  }
  return { pinoHttp: options };
}
