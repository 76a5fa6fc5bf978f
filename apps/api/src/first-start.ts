import type { Database } from '@app/db';
import { EventStore, storeDb } from '@app/event-store';
import {
  JurisdictionRepository,
  policyDb,
  policyInlineProjections,
  readOcdDirectory,
  seedCurated,
  seedJurisdictions,
} from '@app/policy';

/**
 * The embedded default is for someone trying the tracker: on its first start it loads the US
 * jurisdiction directory and the curated 2017 dataset, so there is something to look at.
 * "First" = the directory (~39,000 jurisdictions) is not loaded yet; both seeds are
 * idempotent, so an interrupted first start resumes on the next.
 */
export async function seedOnFirstStart(db: Database): Promise<void> {
  const store = new EventStore(storeDb(db), { inlineProjections: policyInlineProjections });
  if ((await new JurisdictionRepository(policyDb(store.db)).count()) > 1000) return;
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
