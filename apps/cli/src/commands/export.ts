import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { err, progressBar, seconds, withDatabase } from '../cli-kit';
import { exportEvents } from '../event-transfer';

export function registerExport(program: Command): void {
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
}
