import { rmSync } from 'node:fs';
import { join } from 'node:path';
import dropTestDatabases from '../../libs/db/src/testing/global-teardown';

/** After the whole run: the test databases, and the console the browser tests built for it. */
export default async function globalTeardown(): Promise<void> {
  const template = process.env.PL_TEST_TEMPLATE;
  if (template) rmSync(join(__dirname, '..', '..', 'dist', `.console-${template}`), { recursive: true, force: true });
  await dropTestDatabases();
}
