import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig, runProcess } from '@app/config';
import { migrateToLatest, openDatabase } from '@app/db';
import { ProjectionRunner } from '@app/event-store';
import { IngestionWorkers } from './ingestion-workers';
import { WorkerModule } from './worker.module';

async function start(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const missing = [
    // The embedded database belongs to one process; there the API runs projections and sources itself.
    !config.DATABASE_URL && 'DATABASE_URL (a PostgreSQL server: on the embedded default, the API does the work)',
    !config.REDIS_URL && 'REDIS_URL (the ingestion queues; without Redis, sources run in the API and the CLI)',
  ].filter((m): m is string => typeof m === 'string');
  if (missing.length > 0) {
    process.stderr.write(`The worker needs ${missing.join(' and ')}.\n`);
    process.exit(1);
  }
  const database = await openDatabase(config, 'policy-ledger-worker');
  await migrateToLatest(database.db);
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({ config, db: database.db, databaseUrl: database.url }),
    { logger: config.LOG_LEVEL === 'silent' ? false : ['error', 'warn', 'log'] },
  );
  const runner = app.get(ProjectionRunner);
  const queues = app.get(IngestionWorkers).queueNames;
  process.stdout.write(
    `Policy Ledger worker running projections (${runner.names.join(', ')}) and ${queues.length} ingestion queues (prefix ${config.BULLMQ_PREFIX})\n`,
  );
  return async () => {
    // Closes the ingestion workers first, under WORKER_SHUTDOWN_MS, then the rest.
    await app.close();
    await database.close();
  };
}

runProcess('Policy Ledger worker', start);
