import type { Command } from 'commander';
import { sql } from 'kysely';
import { ProjectionRunner, type ProjectionStatus } from '@app/event-store';
import { ingestionDb, ParkedRepository, RunRepository, SourceRepository } from '@app/ingestion';
import { asyncProjections, policyInlineProjections } from '@app/policy';
import { out, withDatabase } from '../cli-kit';

const when = (d: Date | undefined) => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '-');

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('events in the log, where each projection stands, and each ingestion source')
    .action(
      withDatabase(async ({ db, store }) => {
        const head = await store.headPosition();
        const { rows: counts } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(db);
        out(`events: ${counts[0].n} (head position ${head})`);

        // Never started: this process only reads the checkpoints, the worker or API runs them.
        const runner = new ProjectionRunner(store, asyncProjections());
        // A projection no runner has started yet has no checkpoint to report; creating it, as a
        // runner's start does, lets status() answer for it too (position 0, behind by all).
        await runner.ensureCheckpoints();
        // Inline projections are written in each append's transaction, so never behind: their
        // checkpoint only records the last rebuild, which the same status() query reads.
        const rebuilt = new Map((await new ProjectionRunner(store, policyInlineProjections).status()).map((s) => [s.name, s]));
        const running = new Map((await runner.status()).map((s) => [s.name, s]));

        out(
          ['projection'.padEnd(16), 'mode'.padEnd(7), 'position'.padStart(9), 'behind'.padStart(7), 'applied'.padStart(8), '  state  ', '  checkpoint updated'].join(' '),
        );
        for (const { name } of policyInlineProjections) {
          const s = rebuilt.get(name);
          const updated = s ? `${when(s.updatedAt)} (last rebuild)` : '- (never rebuilt)';
          out(row(name, 'inline', s, 0, '-', updated));
        }
        for (const name of runner.names) {
          const s = running.get(name)!;
          out(row(name, 'async', s, s.lag, asyncState(s), when(s.updatedAt) + failure(s)));
        }

        const idb = ingestionDb(store.db);
        const [sources, latest, parked] = await Promise.all([
          new SourceRepository(idb).list(),
          new RunRepository(idb).latest(),
          new ParkedRepository(idb).openCounts(),
        ]);
        out('');
        out(['source'.padEnd(20), 'enabled', 'schedule'.padEnd(13), 'last run'.padEnd(20), 'result'.padEnd(44), 'parked'.padStart(6)].join(' '));
        for (const source of sources) {
          const run = latest.get(source.id);
          const result = !run
            ? 'never run'
            : run.status === 'failed'
              ? `failed: ${run.error ?? ''}`.slice(0, 44)
              : run.status === 'running'
                ? 'running'
                : `${run.proposed} proposed, ${run.unchanged} unchanged, ${run.parked + run.failed} parked`;
          out(
            [source.id.padEnd(20), (source.enabled ? 'yes' : 'no').padEnd(7), source.schedule.padEnd(13), when(run?.startedAt).padEnd(20), result.padEnd(44), String(parked.get(source.id) ?? 0).padStart(6)].join(' '),
          );
        }
        if (sources.length === 0) out('(no sources yet: the API, the worker or `ingest` adds the defaults at start)');
      }),
    );
}

/**
 * status() calls every healthy projection of a runner that is not running "stopped"; this
 * one never runs, so what tells the operator something is whether the projection has caught
 * up, whoever runs it.
 */
function asyncState(s: ProjectionStatus): string {
  if (s.state === 'failed') return 'failed';
  return s.lag === 0 ? 'idle' : 'behind';
}

function failure(s: ProjectionStatus): string {
  const e = s.lastError;
  return e ? `  FAILED at position ${e.eventPosition} (${e.eventType}, ${e.streamId}): ${e.message}` : '';
}

function row(name: string, mode: string, s: ProjectionStatus | undefined, behind: number, state: string, updated: string): string {
  return [
    name.padEnd(16),
    mode.padEnd(7),
    String(s?.position ?? '-').padStart(9),
    String(behind).padStart(7),
    String(s?.eventsApplied ?? '-').padStart(8),
    `  ${state.padEnd(7)}`,
    `  ${updated}`,
  ].join(' ');
}
