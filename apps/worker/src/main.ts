import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig, runProcess } from '@app/config';
import { migrateToLatest, openDatabase } from '@app/db';
import { ProjectionRunner } from '@app/event-store';
import { IngestionWorkers } from './ingestion-workers';
import { WorkerModule } from './worker.module';

async function start(): Promise<() => Promise<void>> {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    // The embedded database belongs to one process; there the API runs projections and sources itself.
    process.stderr.write('The worker needs DATABASE_URL (a PostgreSQL server: on the embedded default, the API does the work).\n');
    process.exit(1);
  }
  const database = await openDatabase(config, 'policy-ledger-worker');
  await migrateToLatest(database.db);
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({ config, db: database.db, databaseUrl: database.url }),
    { logger: config.LOG_LEVEL === 'silent' ? false : ['error', 'warn', 'log'] },
  );
  const projections = config.RUN_PROJECTIONS ? `projections (${app.get(ProjectionRunner).names.join(', ')})` : 'no projections (RUN_PROJECTIONS=false)';
  const ingestion = config.REDIS_URL
    ? `${app.get(IngestionWorkers).queueNames.length} ingestion queues (prefix ${config.BULLMQ_PREFIX})`
    : 'no ingestion queues (no REDIS_URL: sources run in the API and the CLI)';
  process.stdout.write(`Policy Ledger worker running ${projections} and ${ingestion}\n`);
  return async () => {
    // Closes the ingestion workers first, under WORKER_SHUTDOWN_MS, then the rest.
    await app.close();
    await database.close();
  };
}

runProcess('Policy Ledger worker', start);
