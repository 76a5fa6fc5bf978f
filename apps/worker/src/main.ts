import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig, runProcess } from '@app/config';
import { migrateToLatest, openDatabase } from '@app/db';
import { ProjectionRunner } from '@app/event-store';
import { WorkerModule } from './worker.module';

async function start(): Promise<() => Promise<void>> {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    // The embedded database belongs to one process; there the API runs the projections itself.
    process.stderr.write('The worker needs DATABASE_URL (on the embedded default, the API runs the projections).\n');
    process.exit(1);
  }
  const database = await openDatabase(config, 'policy-ledger-worker');
  await migrateToLatest(database.db);
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({ config, db: database.db, databaseUrl: database.url }),
    { logger: config.LOG_LEVEL === 'silent' ? false : ['error', 'warn', 'log'] },
  );
  const runner = app.get(ProjectionRunner);
  process.stdout.write(`Policy Ledger worker running projections: ${runner.names.join(', ')}\n`);
  return async () => {
    await app.close();
    await database.close();
  };
}

runProcess('Policy Ledger worker', start);
