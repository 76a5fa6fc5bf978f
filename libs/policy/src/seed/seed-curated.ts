import type { EventStore } from '@app/event-store';
import { ActionWriter } from '../commands/action-writer';
import { RecordActionCommand } from '../commands/record-action/record-action.command';
import { RecordActionHandler } from '../commands/record-action/record-action.handler';
import { policyDb } from '../database';
import { isDomainError, type RegisterJurisdiction } from '../domain';
import { ActionRepository } from '../repositories/action.repository';
import { JurisdictionRepository } from '../repositories/jurisdiction.repository';
import { actionStream } from '../streams';
import { type CuratedAction, curatedActions, curatedJurisdictions } from './curated-2017';
import { type SeedJurisdictionsResult, seedJurisdictions } from './seed-jurisdictions';

export interface SeedCuratedResult {
  jurisdictions: SeedJurisdictionsResult;
  actions: { recorded: number; existing: number };
}

const METADATA = { actor: 'seed:curated-2017' };

/**
 * Loads the curated 2017 dataset, idempotently: jurisdictions via `seedJurisdictions`, then
 * each action not yet recorded through the same record-action handler as the API. A rule the
 * dataset breaks throws: the dataset is ours, so that is a bug to fix, not a row to skip.
 */
export async function seedCurated(
  store: EventStore,
  dataset: { jurisdictions: readonly RegisterJurisdiction[]; actions: readonly CuratedAction[] } = {
    jurisdictions: curatedJurisdictions,
    actions: curatedActions,
  },
): Promise<SeedCuratedResult> {
  const jurisdictions = await seedJurisdictions(store, dataset.jurisdictions, { metadata: METADATA });
  if (jurisdictions.rejections.length) {
    const [first] = jurisdictions.rejections;
    throw new Error(`curated jurisdiction ${first.id} was rejected: ${first.code} ${first.message}`);
  }

  const versions = await store.streamVersions(dataset.actions.map((a) => actionStream(a.id)));
  const db = policyDb(store.db);
  // No projection runner here: the relation graph catches up when the API or worker runs.
  const record = new RecordActionHandler(new ActionWriter(store, new JurisdictionRepository(db), new ActionRepository(db)));
  const actions = { recorded: 0, existing: 0 };
  for (const { id, command } of dataset.actions) {
    if (versions.has(actionStream(id))) {
      actions.existing++;
      continue;
    }
    try {
      await record.execute(new RecordActionCommand(command.data, METADATA));
      actions.recorded++;
    } catch (err) {
      // Another seeder recorded it between our check and append: it exists, as we wanted.
      if (!isDomainError(err) || err.code !== 'ACTION.ALREADY_EXISTS') throw err;
      actions.existing++;
    }
  }
  return { jurisdictions, actions };
}
