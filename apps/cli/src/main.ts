#!/usr/bin/env node
import { Command } from 'commander';
import { describe, err } from './cli-kit';
import { registerExport } from './commands/export';
import { registerImport } from './commands/import';
import { registerIngest } from './commands/ingest';
import { registerKeys } from './commands/keys';
import { registerMigrate } from './commands/migrate';
import { registerRebuild } from './commands/rebuild';
import { registerSeed } from './commands/seed';
import { registerStatus } from './commands/status';
import { registerVerify } from './commands/verify';

// A reader that goes away (`… | head`) must not crash a seed or import half-way: the work
// goes on, unseen. (export notices through its pipeline and stops.)
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
});

const program = new Command('policy-ledger')
  .description('Policy Ledger operations: migrations, seed data, ingestion, projections, API keys, backups, verification')
  .showHelpAfterError();

// In this order in `--help`.
for (const register of [registerMigrate, registerSeed, registerRebuild, registerKeys, registerExport, registerImport, registerIngest, registerStatus, registerVerify]) {
  register(program);
}

program.parseAsync(process.argv).catch((error: unknown) => {
  // The reader of our stdout went away (`export | head`): stopping is what it asked for.
  if ((error as { code?: string }).code === 'EPIPE') return;
  err(`error: ${describe(error)}`);
  if (process.env.DEBUG) console.error(error);
  process.exitCode = 1;
});
