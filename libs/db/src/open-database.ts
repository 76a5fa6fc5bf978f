import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { AppConfig } from '@app/config';
import { createDb } from './connection';
import { startEmbeddedPostgres } from './embedded';

export interface OpenDatabase<DB> {
  db: Kysely<DB>;
  url: string;
  /** True when running on the embedded PGlite default. */
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * The configured database: DATABASE_URL when set, else the embedded PGlite default kept in
 * DATA_DIR/pglite, served on a local port so that `pg` + Kysely run unchanged.
 */
export async function openDatabase<DB = object>(config: AppConfig, applicationName: string): Promise<OpenDatabase<DB>> {
  if (config.DATABASE_URL) {
    const db = createDb<DB>(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, applicationName });
    return { db, url: config.DATABASE_URL, embedded: false, close: () => db.destroy() };
  }
  const server = await startEmbeddedPostgres({ dataDir: resolve(join(config.DATA_DIR, 'pglite')) });
  // One connection: see startEmbeddedPostgres for why.
  const db = createDb<DB>(server.url, { max: 1, applicationName, prepareStatements: false });
  return {
    db,
    url: server.url,
    embedded: true,
    close: async () => {
      await db.destroy();
      await server.stop();
    },
  };
}
