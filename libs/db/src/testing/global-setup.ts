import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { migrateToLatest } from '../migrator';
import { databaseUrl, dropDatabase, withAdminClient } from './admin';

/**
 * Builds one migrated template database per Jest run; every test file then clones it
 * (CREATE DATABASE … TEMPLATE), which takes milliseconds instead of re-running migrations.
 * The name carries the run's pid so two runs on one server never share a template.
 */
export default async function globalSetup(): Promise<void> {
  const template = `pl_template_${process.pid}`;
  await withAdminClient(async (client) => {
    await dropDatabase(client, template);
    await client.query(`CREATE DATABASE "${template}"`);
  });
  const db = new Kysely<object>({
    dialect: new PostgresDialect({ pool: new Pool({ connectionString: databaseUrl(template), max: 1 }) }),
  });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  process.env.PL_TEST_TEMPLATE = template;
}
