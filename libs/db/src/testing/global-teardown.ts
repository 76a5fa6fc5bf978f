import { dropDatabase, withAdminClient } from './admin';

export default async function globalTeardown(): Promise<void> {
  const template = process.env.PL_TEST_TEMPLATE;
  if (!template) return;
  await withAdminClient(async (client) => {
    // Test files drop their own databases; this also removes any a crashed worker left.
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`pl_test_${process.pid}_%`],
    );
    for (const { datname } of rows) await dropDatabase(client, datname);
    await dropDatabase(client, template);
  });
}
