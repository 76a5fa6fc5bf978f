import type { Kysely } from 'kysely';
import { EventStore } from '@app/event-store';
import { policyInlineProjections, readOcdDirectory, seedCurated, seedJurisdictions } from '@app/policy';

/**
 * The embedded default is for someone trying the tracker: on its first start it loads the US
 * jurisdiction directory and the curated 2017 dataset, so there is something to look at.
 * "First" = the directory (~39,000 jurisdictions) is not loaded yet; both seeds are
 * idempotent, so an interrupted first start resumes on the next.
 */
export async function seedOnFirstStart(db: Kysely<any>): Promise<void> {
  const { count } = (await db
    .selectFrom('jurisdictions')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow()) as { count: number };
  if (Number(count) > 1000) return;
  const store = new EventStore(db, { inlineProjections: policyInlineProjections });
  process.stdout.write('First start: loading the US jurisdiction directory and the curated 2017 dataset…\n');
  const directory = readOcdDirectory();
  let last = 0;
  await seedJurisdictions(store, directory.commands, {
    onProgress: ({ done, total }) => {
      const pct = Math.floor((done / total) * 10);
      if (pct > last) {
        last = pct;
        process.stdout.write(`  jurisdictions: ${done}/${total}\n`);
      }
    },
  });
  await seedCurated(store);
}
