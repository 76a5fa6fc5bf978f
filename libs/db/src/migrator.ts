import { Migrator, type MigrationResultSet } from 'kysely';
import type { Database } from './connection';
import { migrations } from './migrations';

/**
 * Runs pending migrations. Kysely's Migrator holds an advisory lock while it runs, so
 * replicas starting together run each migration once.
 */
export async function migrateToLatest(db: Database): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
