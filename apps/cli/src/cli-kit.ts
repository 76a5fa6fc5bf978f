import { Presets, SingleBar } from 'cli-progress';
import { loadConfig } from '@app/config';
import { migrateToLatest, openDatabase, type Database } from '@app/db';
import { EventStore, storeDb } from '@app/event-store';
import { policyInlineProjections } from '@app/policy';

export interface Context {
  db: Database;
  store: EventStore;
}

/**
 * Runs one command against the configured database (DATABASE_URL, else the embedded one in
 * DATA_DIR), migrated first so every command finds the schema it expects.
 */
export function withDatabase<A extends unknown[]>(fn: (ctx: Context, ...args: A) => Promise<void>, options = { migrate: true }) {
  return async (...args: A) => {
    const database = await openDatabase(loadConfig(), 'policy-ledger-cli');
    try {
      if (options.migrate) await migrateToLatest(database.db);
      await fn({ db: database.db, store: new EventStore(storeDb(database.db), { inlineProjections: policyInlineProjections }) }, ...args);
    } finally {
      await database.close();
    }
  };
}

/** A progress bar on stderr, so stdout stays clean for data (export) and keys. */
export function progressBar(label: string, unit: string): SingleBar {
  return new SingleBar(
    { format: `${label.padEnd(13)} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted}`, hideCursor: true },
    Presets.shades_classic,
  );
}

export const err = (line: string) => process.stderr.write(`${line}\n`);
export const out = (line: string) => process.stdout.write(`${line}\n`);
export const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** "n × reason (e.g. id, id)" lines: enough to act on without flooding the terminal. */
export function summarise(items: { id: string; reason: string }[], indent = '    '): string[] {
  const byReason = new Map<string, string[]>();
  for (const { id, reason } of items) byReason.set(reason, [...(byReason.get(reason) ?? []), id]);
  return [...byReason].map(([reason, ids]) => `${indent}${ids.length} × ${reason} (e.g. ${ids.slice(0, 2).join(', ')})`);
}

/** The message a person can act on: pg and Node sometimes wrap the cause or leave it empty. */
export function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return describe(error.errors[0]);
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message || error.name;
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
