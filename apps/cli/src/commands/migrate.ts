import type { Command } from 'commander';
import { migrateToLatest } from '@app/db';
import { out, withDatabase } from '../cli-kit';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(
      withDatabase(
        async ({ db }) => {
          const { results = [] } = await migrateToLatest(db);
          for (const r of results) out(`${r.status === 'Success' ? 'applied' : r.status.toLowerCase()}  ${r.migrationName}`);
          if (results.length === 0) out('already up to date');
        },
        { migrate: false },
      ),
    );
}
