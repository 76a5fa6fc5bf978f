import type { Command } from 'commander';
import { rebuildProjection } from '@app/event-store';
import { policyInlineProjections, policyProjections } from '@app/policy';
import { out, progressBar, seconds, withDatabase } from '../cli-kit';

// Inline read models and the asynchronous ones alike (a running worker pauses on the swap).
const rebuildable = [...policyInlineProjections, ...policyProjections];
const projectionNames = rebuildable.map((p) => p.name);

export function registerRebuild(program: Command): void {
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
}
