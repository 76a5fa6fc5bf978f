import { mkdirSync } from 'node:fs';
import { PGlite, type Extension } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { lockDataDir } from './data-dir-lock';

// A subpath export, which this project's module resolution cannot type: required, and typed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

export interface EmbeddedPostgres {
  /** A postgres:// URL that `pg` (and so Kysely) connects to unchanged. */
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite (Postgres compiled to WebAssembly) served over the wire protocol, so the same `pg`
 * + Kysely code runs on it as on a real server. `dataDir` undefined = in memory.
 *
 * PGlite is a single session, and the socket server (0.2) queues protocol *messages*, keeping
 * a connection's messages together only inside a transaction. Outside one, two connections'
 * Parse/Bind/Execute interleave and each runs the other's unnamed statement: wrong rows, not
 * an error (seen as spurious 404s under 30 concurrent requests). So clients of this server
 * use ONE connection (openDatabase does), which also rules out named-statement collisions.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number; maxConnections?: number } = {}): Promise<EmbeddedPostgres> {
  let release = () => {};
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    release = lockDataDir(options.dataDir);
  }
  let pglite: PGlite | undefined;
  let server: PGLiteSocketServer;
  try {
    // pg_trgm indexes the directory's names (migration 2026-12-01T04-00), as on a real server.
    pglite = await PGlite.create(options.dataDir ?? 'memory://', { extensions: { pg_trgm } });
    server = new PGLiteSocketServer({
      db: pglite,
      host: '127.0.0.1',
      port: options.port ?? 0,
      maxConnections: options.maxConnections ?? 32,
    });
    await server.start();
  } catch (err) {
    await pglite?.close().catch(() => undefined);
    release();
    throw err;
  }
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    stop: async () => {
      await server.stop();
      await pglite!.close();
      release();
    },
  };
}
