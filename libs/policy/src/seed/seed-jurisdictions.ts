import { type EventMetadata, type EventStore, type StreamAppend, VersionConflictError } from '@app/event-store';
import { policyDb } from '../database';
import { decideJurisdiction, isDomainError, type RegisterJurisdiction, resolveParentId } from '../domain';
import { JurisdictionRepository } from '../repositories/jurisdiction.repository';
import { jurisdictionStream } from '../streams';

export interface SeedJurisdictionsProgress {
  /** Commands handled so far (registered, already there or rejected) out of `total`. */
  done: number;
  total: number;
  registered: number;
  existing: number;
  rejected: number;
}

export interface SeedJurisdictionsResult extends SeedJurisdictionsProgress {
  /** Commands the domain refused (e.g. a parent that is not registered), with its code. */
  rejections: { id: string; code: string; message: string }[];
}

export interface SeedJurisdictionsOptions {
  batchSize?: number;
  metadata?: EventMetadata;
  onProgress?: (progress: SeedJurisdictionsProgress) => void;
}

/**
 * Registers many jurisdictions through the event store, idempotently: ids already registered
 * are skipped, the rest go through `decideJurisdiction` and are appended a batch at a time in
 * one `appendMany` (each stream expected not to exist), so the inline projection fills the
 * read table in the same transaction. Commands must come parents first; a parent counts as
 * existing when it is in the table or was registered earlier in this run.
 */
export async function seedJurisdictions(
  store: EventStore,
  commands: readonly RegisterJurisdiction[],
  options: SeedJurisdictionsOptions = {},
): Promise<SeedJurisdictionsResult> {
  const batchSize = options.batchSize ?? 500;
  const metadata = options.metadata ?? { actor: 'seed:ocd-directory' };
  const result: SeedJurisdictionsResult = {
    done: 0,
    total: commands.length,
    registered: 0,
    existing: 0,
    rejected: 0,
    rejections: [],
  };
  // Ids known to be registered: found in the table or appended by this run.
  const known = new Set<string>();
  const jurisdictions = new JurisdictionRepository(policyDb(store.db));

  for (let start = 0; start < commands.length; start += batchSize) {
    const batch = commands.slice(start, start + batchSize);
    const lookup = new Set<string>();
    for (const command of batch) {
      for (const id of [command.data.id, resolveParentId(command)]) if (id && !known.has(id)) lookup.add(id);
    }
    const missing = new Set(await jurisdictions.missing([...lookup]));
    for (const id of lookup) if (!missing.has(id)) known.add(id);

    // A concurrent seeder (another replica's first start) may register some of the batch
    // between the lookup and the append; then its streams exist: count them and retry.
    for (let attempt = 1; ; attempt++) {
      const decided = decideBatch(batch, known);
      try {
        if (decided.appends.length) await store.appendMany(decided.appends, { metadata });
        for (const id of decided.ids) known.add(id);
        result.registered += decided.appends.length;
        result.existing += decided.existing;
        result.rejected += decided.rejections.length;
        result.rejections.push(...decided.rejections);
        break;
      } catch (err) {
        if (!(err instanceof VersionConflictError) || attempt >= 3) throw err;
        const versions = await store.streamVersions(decided.appends.map((a) => a.streamId));
        for (const id of decided.ids) if (versions.has(jurisdictionStream(id))) known.add(id);
      }
    }
    result.done += batch.length;
    const { rejections: _, ...progress } = result;
    options.onProgress?.(progress);
  }
  return result;
}

/** Decides one batch against what is known, without touching `known` (a failed append must not). */
function decideBatch(batch: readonly RegisterJurisdiction[], known: ReadonlySet<string>) {
  const appends: StreamAppend[] = [];
  const ids: string[] = []; // appends[i] registers ids[i]
  const rejections: SeedJurisdictionsResult['rejections'] = [];
  const added = new Set<string>();
  let existing = 0;
  for (const command of batch) {
    const { id } = command.data;
    if (known.has(id) || added.has(id)) {
      existing++;
      continue;
    }
    const parentId = resolveParentId(command);
    try {
      const parentExists = parentId !== null && (known.has(parentId) || added.has(parentId));
      const events = decideJurisdiction(command, null, { parentExists });
      appends.push({ streamId: jurisdictionStream(id), events, expectedVersion: 'no_stream' });
      ids.push(id);
      added.add(id);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      rejections.push({ id, code: err.code, message: err.message });
    }
  }
  return { appends, ids, rejections, existing };
}
