import { type EventStore, VersionConflictError } from '@app/event-store';
import { collectReferences, decideAction, type RegisterJurisdiction } from '../domain';
import { ReferencesRepository } from '../references.repository';
import { actionStream } from '../streams';
import { type CuratedAction, curatedActions, curatedJurisdictions } from './curated-2017';
import { type SeedJurisdictionsResult, seedJurisdictions } from './seed-jurisdictions';

export interface SeedCuratedResult {
  jurisdictions: SeedJurisdictionsResult;
  actions: { recorded: number; existing: number };
}

const METADATA = { actor: 'seed:curated-2017' };

/**
 * Loads the curated 2017 dataset through the domain's deciders, idempotently: jurisdictions
 * via `seedJurisdictions`, then each action not yet recorded is decided against what the
 * read tables know and appended to its own (new) stream. A rule the dataset breaks throws:
 * the dataset is ours, so that is a bug to fix, not a row to skip.
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
  const references = new ReferencesRepository(store);
  const actions = { recorded: 0, existing: 0 };
  for (const { id, command } of dataset.actions) {
    if (versions.has(actionStream(id))) {
      actions.existing++;
      continue;
    }
    const refs = collectReferences(command);
    const events = decideAction(command, null, {
      missingJurisdictions: await references.missingJurisdictions(refs.jurisdictionIds),
      missingActions: await references.missingActions(refs.actionIds),
    });
    try {
      await store.append(actionStream(id), events, { expectedVersion: 'no_stream', metadata: METADATA });
      actions.recorded++;
    } catch (err) {
      // Another seeder recorded it between our check and append: it exists, as we wanted.
      if (!(err instanceof VersionConflictError)) throw err;
      actions.existing++;
    }
  }
  return { jurisdictions, actions };
}
