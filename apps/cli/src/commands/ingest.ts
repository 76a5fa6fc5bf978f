import { NestFactory } from '@nestjs/core';
import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig } from '@app/config';
import type { Database } from '@app/db';
import { EventStoreModule } from '@app/event-store';
import { IngestionModule, ingestionSettings, SourceRunner, type RunCounts } from '@app/ingestion';
import { PolicyModule, policyInlineProjections } from '@app/policy';
import { err, out, seconds, withDatabase } from '../cli-kit';

/** The handlers a run needs, on the CLI's connection; projections are left to the API or worker. */
@Module({})
class IngestCliModule {
  static forRoot(db: Database): DynamicModule {
    return {
      module: IngestCliModule,
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule.forRootAsync({ useFactory: () => ({ db, inlineProjections: policyInlineProjections, runProjections: false }) }),
        PolicyModule,
        IngestionModule.forRoot({ settings: ingestionSettings(loadConfig()) }),
      ],
    };
  }
}

const summary = (c: RunCounts) =>
  `${c.proposed} proposed, ${c.corrected} corrected, ${c.suggested} suggested, ${c.unchanged} unchanged, ${c.parked} parked, ${c.failed} refused`;

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .argument('<source-id>', "a source's id: federal-register, doj-press, courtlistener, feed:<slug>, legistar:<client>")
    .description('run one source now, in this process: fetch, parse, normalise and propose, page by page')
    .option('--since <date>', 'read from this date (YYYY-MM-DD) instead of where the last run stopped')
    .action(
      withDatabase(async ({ db }, sourceId: string, options: { since?: string }) => {
        if (options.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.since)) {
          throw new Error(`--since must be a date YYYY-MM-DD, not "${options.since}"`);
        }
        const app = await NestFactory.createApplicationContext(IngestCliModule.forRoot(db), { logger: ['error'] });
        // A page count is unknown until the source has none left: the bar counts pages and items.
        const bar = new SingleBar(
          { format: `${sourceId.padEnd(13)} {value} pages | {fetched} items | {outcome} | {duration_formatted}`, hideCursor: true },
        );
        const started = performance.now();
        try {
          await app.init();
          const run = await app.get(SourceRunner).run(sourceId, {
            trigger: 'cli',
            since: options.since,
            onStart: (r) => {
              err(`run ${r.id} of ${sourceId}`);
              bar.start(0, 0, { fetched: 0, outcome: '' });
            },
            onPage: (counts) => bar.update(counts.pages, { fetched: counts.fetched, outcome: summary(counts) }),
          });
          bar.stop();
          out(`${sourceId}: ${run.pages} pages, ${run.fetched} items: ${summary(run)}, in ${seconds(started)}`);
          if (run.parked || run.failed) out(`  see them with GET /api/v1/ingestion/parked?source=${encodeURIComponent(sourceId)}`);
        } finally {
          bar.stop();
          await app.close();
        }
      }),
    );
}
