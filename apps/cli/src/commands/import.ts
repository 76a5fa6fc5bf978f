import { createReadStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import { out, progressBar, seconds, withDatabase } from '../cli-kit';
import { importEvents } from '../event-transfer';

export function registerImport(program: Command): void {
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
}
