import type { Command } from 'commander';
import { readOcdDirectory, seedCurated, seedJurisdictions } from '@app/policy';
import { out, progressBar, seconds, summarise, withDatabase } from '../cli-kit';

export function registerSeed(program: Command): void {
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
}
