import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '@app/config';
import { createDb } from '@app/db';
import { createApiApp } from '../../../apps/api/src/app';

// The API under test, in a process of its own (forked by api-bench): the load generator must
// not share the API's event loop, or it would measure itself. Configured only from the
// variables the parent passes; answers with its port over IPC and closes on request.

async function main(): Promise<void> {
  const env: Record<string, string | undefined> = {
    DATABASE_URL: process.env.BENCH_DATABASE_URL,
    API_ADMIN_KEY: process.env.BENCH_API_ADMIN_KEY,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    DATABASE_POOL_SIZE: process.env.BENCH_DATABASE_POOL_SIZE,
    READ_CACHE_MB: process.env.BENCH_READ_CACHE_MB,
    // Seals are signed, as a newsroom's would be: the sealer runs in the API beside the writes.
    LEDGER_SIGNING_KEY: process.env.BENCH_LEDGER_SIGNING_KEY,
    // The benches measure the API, not its abuse limits: every request comes from one address.
    RATE_LIMIT_READS_PER_MINUTE: '0',
    RATE_LIMIT_WRITES_PER_MINUTE: '0',
  };
  const config = parseConfig(env as NodeJS.ProcessEnv);
  const db = createDb<any>(config.DATABASE_URL!, { max: config.DATABASE_POOL_SIZE, applicationName: 'pl-benchapi-api' });
  const app = await createApiApp({ config, db, databaseUrl: config.DATABASE_URL! });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'cpu') process.send!({ type: 'cpu', usage: process.cpuUsage() });
    if (msg?.type !== 'close') return;
    (async () => {
      await app.close();
      await db.destroy();
    })()
      .catch((err) => process.stderr.write(`api server close failed: ${String(err)}\n`))
      // process.exit still writes the --cpu-prof profile.
      .finally(() => process.exit(0));
  });
  process.send!({ type: 'ready', port, poolSize: config.DATABASE_POOL_SIZE, logLevel: config.LOG_LEVEL });
}

main().catch((err) => {
  process.stderr.write(`api server failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
