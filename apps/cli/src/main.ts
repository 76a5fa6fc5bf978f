#!/usr/bin/env node
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { Command, Option } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { sql, type Kysely } from 'kysely';
import { loadConfig } from '@app/config';
import {
  API_KEY_ROLES,
  type ApiKeyRole,
  createApiKey,
  listApiKeys,
  migrateToLatest,
  openDatabase,
  revokeApiKey,
} from '@app/db';
import { EventStore, rebuildProjection } from '@app/event-store';
import { policyInlineProjections, policyProjections, readOcdDirectory, seedCurated, seedJurisdictions } from '@app/policy';
import { exportEvents, importEvents } from './event-transfer';

interface Context {
  db: Kysely<any>;
  store: EventStore;
}

/**
 * Runs one command against the configured database (DATABASE_URL, else the embedded one in
 * DATA_DIR), migrated first so every command finds the schema it expects.
 */
function withDatabase<A extends unknown[]>(fn: (ctx: Context, ...args: A) => Promise<void>, options = { migrate: true }) {
  return async (...args: A) => {
    const database = await openDatabase<any>(loadConfig(), 'policy-ledger-cli');
    try {
      if (options.migrate) await migrateToLatest(database.db);
      await fn({ db: database.db, store: new EventStore(database.db, { inlineProjections: policyInlineProjections }) }, ...args);
    } finally {
      await database.close();
    }
  };
}

/** A progress bar on stderr, so stdout stays clean for data (export) and keys. */
function progressBar(label: string, unit: string): SingleBar {
  return new SingleBar(
    { format: `${label.padEnd(13)} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted}`, hideCursor: true },
    Presets.shades_classic,
  );
}

// A reader that goes away (`… | head`) must not crash a seed or import half-way: the work
// goes on, unseen. (export notices through its pipeline and stops.)
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
});

const err = (line: string) => process.stderr.write(`${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** "n × reason (e.g. id, id)" lines: enough to act on without flooding the terminal. */
function summarise(items: { id: string; reason: string }[], indent = '    '): string[] {
  const byReason = new Map<string, string[]>();
  for (const { id, reason } of items) byReason.set(reason, [...(byReason.get(reason) ?? []), id]);
  return [...byReason].map(([reason, ids]) => `${indent}${ids.length} × ${reason} (e.g. ${ids.slice(0, 2).join(', ')})`);
}

const program = new Command('policy-ledger')
  .description('Policy Ledger operations: migrations, seed data, projections, API keys, backups')
  .showHelpAfterError();

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

program
  .command('seed')
  .description('load the US jurisdiction directory (OCD) and the curated 2017 dataset; safe to re-run')
  .option('--jurisdictions', 'only the OCD jurisdiction directory')
  .option('--curated', 'only the curated 2017 dataset')
  .action(
    withDatabase(async ({ store }, options: { jurisdictions?: boolean; curated?: boolean }) => {
      const both = !options.jurisdictions && !options.curated;
      if (both || options.jurisdictions) {
        const directory = readOcdDirectory();
        const bar = progressBar('jurisdictions', 'rows');
        bar.start(directory.commands.length, 0);
        const started = performance.now();
        const result = await seedJurisdictions(store, directory.commands, { onProgress: (p) => bar.update(p.done) });
        bar.stop();
        out(
          `jurisdictions: ${result.registered} registered, ${result.existing} already there, ` +
            `${result.rejected} rejected, in ${seconds(started)}`,
        );
        if (result.rejected) summarise(result.rejections.map((r) => ({ id: r.id, reason: r.code }))).forEach(out);
        if (directory.unplaced.length) {
          out(`  ${directory.unplaced.length} rows of the OCD files left out:`);
          summarise(directory.unplaced).forEach(out);
        }
      }
      if (both || options.curated) {
        const { actions } = await seedCurated(store);
        out(`curated 2017: ${actions.recorded} actions recorded, ${actions.existing} already there`);
      }
    }),
  );

// Inline read models and the asynchronous ones alike (a running worker pauses on the swap).
const rebuildable = [...policyInlineProjections, ...policyProjections];
const projectionNames = rebuildable.map((p) => p.name);
program
  .command('rebuild')
  .description(`rebuild a projection's read tables from the events (${projectionNames.join(', ')}, or all)`)
  .argument('<projection>', `${projectionNames.join(' | ')} | all`)
  .action(
    withDatabase(async ({ store }, name: string) => {
      const chosen = name === 'all' ? rebuildable : rebuildable.filter((p) => p.name === name);
      if (chosen.length === 0) throw new Error(`no projection "${name}"; choose one of ${projectionNames.join(', ')} or all`);
      for (const projection of chosen) {
        const bar = progressBar(projection.name, 'positions');
        const started = performance.now();
        bar.start(await store.headPosition(), 0);
        const result = await rebuildProjection(store, projection, {
          onProgress: ({ position, head }) => {
            bar.setTotal(head);
            bar.update(position);
          },
        });
        bar.stop();
        out(`rebuilt ${projection.name}: ${result.eventsApplied} events applied in ${seconds(started)}`);
      }
    }),
  );

const keys = program.command('keys').description('API keys (stored hashed; a key is shown once, when created)');
keys
  .command('create')
  .description('create an API key and print it')
  .addOption(new Option('--role <role>', 'what the key may do').choices(API_KEY_ROLES).makeOptionMandatory())
  .option('--name <name>', 'who or what uses it')
  .action(
    withDatabase(async ({ db }, options: { role: ApiKeyRole; name?: string }) => {
      const { id, key } = await createApiKey(db, options);
      // The key alone on stdout, so `KEY=$(… keys create …)` captures just it.
      err(`Created ${options.role} key ${id}${options.name ? ` (${options.name})` : ''}. It is shown only this once:`);
      out(key);
    }),
  );
keys
  .command('list')
  .description('list API keys (never the keys themselves)')
  .action(
    withDatabase(async ({ db }) => {
      const rows = await listApiKeys(db);
      if (rows.length === 0) {
        out('no API keys');
        return;
      }
      out(['id'.padEnd(36), 'role'.padEnd(8), 'created'.padEnd(20), 'revoked'.padEnd(20), 'name'].join('  '));
      const when = (d: Date | null) => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '-').padEnd(20);
      for (const k of rows) out([k.id.padEnd(36), k.role.padEnd(8), when(k.createdAt), when(k.revokedAt), k.name ?? ''].join('  '));
    }),
  );
keys
  .command('revoke')
  .description('revoke an API key by id')
  .argument('<id>')
  .action(
    withDatabase(async ({ db }, id: string) => {
      if (!(await revokeApiKey(db, id))) throw new Error(`no live API key with id ${id}`);
      out(`revoked ${id}`);
    }),
  );

program
  .command('export')
  .description('write every event as NDJSON, in commit order')
  .option('--out <file>', 'write to this file instead of stdout')
  .action(
    withDatabase(async ({ store }, options: { out?: string }) => {
      const bar = progressBar('export', 'events');
      bar.start(0, 0);
      const started = performance.now();
      const target = options.out ? createWriteStream(options.out) : process.stdout;
      const count = await exportEvents(store, target, {
        onProgress: (done, total) => {
          bar.setTotal(total);
          bar.update(done);
        },
        onWaiting: () => err('\nwaiting for transactions older than the export to finish (is a session idle in transaction?)'),
      });
      bar.stop();
      err(`exported ${count} events${options.out ? ` to ${options.out}` : ''} in ${seconds(started)}`);
    }),
  );

program
  .command('import')
  .description('append the events of an export (keeps stream ids and versions; skips events already there)')
  .argument('<file>', 'NDJSON written by export')
  .action(
    withDatabase(async ({ store }, file: string) => {
      const bar = progressBar('import', 'bytes');
      bar.start(statSync(file).size, 0);
      const started = performance.now();
      const input = createReadStream(file);
      try {
        const result = await importEvents(store, input, { onProgress: (p) => bar.update(p.bytes) });
        bar.stop();
        out(`imported ${result.imported} events, skipped ${result.skipped} already there, in ${seconds(started)}`);
      } finally {
        // A bad line stops the import mid-file: close it either way.
        input.destroy();
      }
    }),
  );

program
  .command('status')
  .description('events in the log and where each projection stands')
  .action(
    withDatabase(async ({ db, store }) => {
      const head = await store.headPosition();
      const { rows: counts } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(db);
      out(`events: ${counts[0].n} (head position ${head})`);
      const { rows } = await sql<{ name: string; position: number; events_applied: number; updated_at: Date; last_error: unknown }>`
        SELECT name, "position", events_applied, updated_at, last_error FROM projection_checkpoints ORDER BY name`.execute(db);
      const byName = new Map(rows.map((r) => [r.name, r]));
      const names = [...new Set([...projectionNames, ...byName.keys()])];
      out(['projection'.padEnd(16), 'mode'.padEnd(7), 'position'.padStart(9), 'behind'.padStart(7), '  checkpoint updated'].join(' '));
      for (const name of names) {
        const row = byName.get(name);
        const inline = policyInlineProjections.some((p) => p.name === name);
        // Inline projections are written in each append's transaction: never behind. Their
        // checkpoint only records the last rebuild.
        const behind = inline ? 0 : head - (row?.position ?? 0);
        const updated = row ? row.updated_at.toISOString().slice(0, 19).replace('T', ' ') : '-';
        const error = row?.last_error ? `  FAILED: ${(row.last_error as { message?: string }).message ?? 'error'}` : '';
        out(
          [name.padEnd(16), (inline ? 'inline' : 'async').padEnd(7), String(row?.position ?? '-').padStart(9), String(behind).padStart(7), `  ${updated}${error}`].join(' '),
        );
      }
    }),
  );

/** The message a person can act on: pg and Node sometimes wrap the cause or leave it empty. */
function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return describe(error.errors[0]);
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message || error.name;
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

program.parseAsync(process.argv).catch((error: unknown) => {
  // The reader of our stdout went away (`export | head`): stopping is what it asked for.
  if ((error as { code?: string }).code === 'EPIPE') return;
  err(`error: ${describe(error)}`);
  if (process.env.DEBUG) console.error(error);
  process.exitCode = 1;
});
