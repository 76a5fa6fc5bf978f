import { createDb, migrateToLatest } from '@app/db';
import { startEmbeddedPostgresProcess } from '@app/db/testing';
import { eventStoreContract } from './testing/store-contract';

/**
 * The same contract on the embedded default (PGlite behind its socket server). PGlite is one
 * session: the server runs one connection's statement (or whole transaction) at a time, so the
 * "concurrent" tests here prove the store's answers under interleaved requests, not under true
 * parallelism. What needs real concurrent sessions (gap safety with an open transaction,
 * advisory locks between runners, LISTEN/NOTIFY, pg_terminate_backend) runs on Postgres only.
 */
describe('event store contract on PGlite (embedded)', () => {
  eventStoreContract(
    async () => {
      const server = await startEmbeddedPostgresProcess();
      // One connection, as openDatabase uses on PGlite (see libs/db/src/embedded.ts).
      const db = createDb(server.url, { max: 1, prepareStatements: false });
      try {
        await migrateToLatest(db);
      } catch (err) {
        await db.destroy();
        await server.stop();
        throw err;
      }
      return {
        db,
        close: async () => {
          await db.destroy();
          await server.stop();
        },
      };
    },
    { writers: 20, retries: 10 },
  );
});
