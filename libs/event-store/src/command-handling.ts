import { VersionConflictError } from './event-store.errors';
import type { EventStore } from './event-store';
import type { AppendOptions, AppendResult, NewEvent, StoredEvent } from './types';

export interface LoadDecideAppend<S> {
  initialState: S;
  evolve(state: S, event: StoredEvent): S;
  /** Pure: given the current state (and its version), the events to append; may throw. */
  decide(state: S, version: number): NewEvent[];
  /** The version the caller last saw (If-Match); omitted = the version just loaded. */
  expectedVersion?: number;
  /**
   * The command creates the stream: decide on the initial state without loading it, and let
   * the append's expectation (version 0) be the existence check. Saves a read per create.
   */
  createsStream?: boolean;
}

/**
 * The command-handler pattern: load the stream, fold it into state, decide, and append with
 * the loaded version as the expectation, so a concurrent write makes this one fail with a
 * VersionConflictError instead of deciding on stale state.
 */
export async function loadDecideAppend<S>(
  store: EventStore,
  streamId: string,
  handler: LoadDecideAppend<S>,
  options: AppendOptions = {},
): Promise<AppendResult & { state: S }> {
  const history = handler.createsStream ? [] : await store.readStream(streamId);
  const version = history.at(-1)?.streamVersion ?? 0;
  if (handler.expectedVersion !== undefined && handler.expectedVersion !== version) {
    throw new VersionConflictError(streamId, handler.expectedVersion, version);
  }
  let state = history.reduce(handler.evolve, handler.initialState);
  const events = handler.decide(state, version);
  const result = await store.append(streamId, events, { ...options, expectedVersion: version });
  if (!result.replayed) state = result.events.reduce(handler.evolve, state);
  return { ...result, state };
}
