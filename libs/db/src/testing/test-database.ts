import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createDb } from '../connection';
import { databaseUrl, dropDatabase, withAdminClient } from './admin';

export interface TestDatabase<DB> {
  name: string;
  url: string;
  db: Kysely<DB>;
  /** Destroys the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of its own for one test file, cloned from the run's template.
 * Names start with the Jest run's pid so the global teardown can sweep leftovers.
 */
export async function createTestDatabase<DB = any>(options: { poolSize?: number } = {}): Promise<TestDatabase<DB>> {
  const template = process.env.PL_TEST_TEMPLATE;
  if (!template) throw new Error('PL_TEST_TEMPLATE is not set: run tests through Jest (npm test)');
  const runPid = template.replace('pl_template_', '');
  const name = `pl_test_${runPid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  const url = databaseUrl(name);
  const db = createDb<DB>(url, { max: options.poolSize ?? 25, applicationName: 'policy-ledger-test' });
  return {
    name,
    url,
    db,
    drop: async () => {
      await db.destroy();
      await withAdminClient((client) => dropDatabase(client, name));
    },
  };
}
