import 'reflect-metadata';
import { loadConfig, runProcess } from '@app/config';
import { migrateToLatest, openDatabase } from '@app/db';
import { WRITES_OFF, writesAreOff } from './api-key.guard';
import { createApiApp } from './app';
import { seedOnFirstStart } from './first-start';

async function start(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const database = await openDatabase(config, 'policy-ledger-api');
  // Kysely's migrator holds a lock while it runs, so replicas starting together are safe.
  await migrateToLatest(database.db);
  if (database.embedded) await seedOnFirstStart(database.db);
  const app = await createApiApp({ config, db: database.db, databaseUrl: database.url });
  await app.listen({ port: config.PORT, host: config.HOST });
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  const where = database.embedded ? `embedded PGlite in ${config.DATA_DIR}/pglite` : 'DATABASE_URL';
  process.stdout.write(`Policy Ledger API on ${url} (database: ${where})\nAPI docs: ${url}/api/docs\nCurator console: ${url}/console\n`);
  // Checked once at start: a key created later turns writes on without a restart.
  if (await writesAreOff(database.db, config)) process.stdout.write(`Note: ${WRITES_OFF}\n`);
  return async () => {
    await app.close();
    await database.close();
  };
}

runProcess('Policy Ledger API', start);
