import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  EventStore,
  IdempotencyKeyReusedError,
  VersionConflictError,
  type AppendOptions,
  type IdempotentAppend,
  type NewEvent,
  type StoredEvent,
} from '@app/event-store';
import { DomainError, decideMerge, evolveAction, initialActionState, type ActionEvent, type ActionState, type MergeActions } from '../../domain';
import { actionStream, eventMetadata } from '../../streams';
import { ActionWriter, type ActionCommandMeta, type ActionCommandResult } from '../action-writer';
import { MergeActionsCommand } from './merge-actions.command';

interface Loaded {
  state: ActionState;
  version: number;
}

/** How often a merge decides again when the survivor changed between reading it and appending. */
const SURVIVOR_RACE_ATTEMPTS = 3;

/**
 * Loads the duplicate and the survivor, decides purely, and appends to both streams in one
 * transaction, each at the version it was read at: the duplicate's must be the If-Match the
 * curator sent; the survivor's is whatever it was, and a concurrent change to it is met by
 * deciding again (the curator vouched for the duplicate, not for the survivor's version).
 * The answer is the duplicate's new version. ActionWriter's single-stream path cannot do this,
 * so its idempotency rules are repeated here over two streams.
 */
@CommandHandler(MergeActionsCommand)
export class MergeActionsHandler implements ICommandHandler<MergeActionsCommand, ActionCommandResult> {
  constructor(
    private readonly store: EventStore,
    private readonly writer: ActionWriter,
  ) {}

  async execute({ data, meta }: MergeActionsCommand): Promise<ActionCommandResult> {
    const command: MergeActions = { type: 'MergeActions', data };
    const append: AppendOptions = { metadata: eventMetadata(meta), idempotencyKey: meta.idempotencyKey };
    if (meta.idempotencyKey) {
      const earlier = await this.store.findIdempotentAppend(meta.idempotencyKey);
      if (earlier) return this.replay(command, meta, append, earlier);
    }

    for (let attempt = 1; ; attempt++) {
      try {
        return await this.mergeOnce(command, meta, append);
      } catch (err) {
        // A concurrent retry of this same request may have committed first: answer with its result.
        if (meta.idempotencyKey && (err instanceof DomainError || err instanceof VersionConflictError)) {
          const committed = await this.store.findIdempotentAppend(meta.idempotencyKey);
          if (committed) return this.replay(command, meta, append, committed);
        }
        if (!(err instanceof VersionConflictError)) throw err;
        if (err.streamId === actionStream(data.into) && attempt < SURVIVOR_RACE_ATTEMPTS) continue;
        const id = err.streamId === actionStream(data.into) ? data.into : data.actionId;
        throw new DomainError('POLICY.VERSION_CONFLICT', `action ${id} is at version ${err.actualVersion}`, {
          details: { actionId: id, currentVersion: err.actualVersion, expectedVersion: err.expectedVersion },
        });
      }
    }
  }

  private async mergeOnce(command: MergeActions, meta: ActionCommandMeta, append: AppendOptions): Promise<ActionCommandResult> {
    const { actionId, into } = command.data;
    const [duplicate, survivor] = await Promise.all([this.load(actionId), this.load(into)]);
    // A missing duplicate is unknown (404), not stale: decide says so.
    if (meta.expectedVersion !== undefined && duplicate.version !== 0 && duplicate.version !== meta.expectedVersion) {
      throw new VersionConflictError(actionStream(actionId), meta.expectedVersion, duplicate.version);
    }
    const decision = decideMerge(command, duplicate.state, survivor.state);
    const result = await this.store.appendMany(
      [
        { streamId: actionStream(actionId), events: decision.duplicate as NewEvent[], expectedVersion: duplicate.version },
        { streamId: actionStream(into), events: decision.survivor as NewEvent[], expectedVersion: survivor.version },
      ],
      append,
    );
    const answer = { id: actionId, version: result.streams[0].version, position: result.lastPosition, replayed: result.replayed };
    return result.replayed ? answer : this.writer.visible(answer, result.events);
  }

  private async load(id: string, toVersion?: number): Promise<Loaded> {
    const history = await this.store.readStream(actionStream(id), toVersion === undefined ? {} : { toVersion });
    return { state: fold(history), version: history.at(-1)?.streamVersion ?? 0 };
  }

  /**
   * A retry under an Idempotency-Key already used: decide again on both streams as they stood
   * before the first append and append with the same expectations, so the store recognises the
   * same request and answers with its first result. Anything else under that key is a reuse.
   */
  private async replay(command: MergeActions, meta: ActionCommandMeta, append: AppendOptions, earlier: IdempotentAppend): Promise<ActionCommandResult> {
    const { actionId, into } = command.data;
    const reused = new IdempotencyKeyReusedError(meta.idempotencyKey!);
    const at = (id: string) => earlier.streams.find((s) => s.streamId === actionStream(id));
    const duplicateWrite = at(actionId);
    const survivorWrite = at(into);
    if (earlier.streams.length !== 2 || !duplicateWrite || !survivorWrite) throw reused;
    const duplicateBase = duplicateWrite.fromVersion - 1;
    const survivorBase = survivorWrite.fromVersion - 1;
    if (meta.expectedVersion !== undefined && meta.expectedVersion !== duplicateBase) throw reused;
    const [duplicate, survivor] = await Promise.all([this.load(actionId, duplicateBase), this.load(into, survivorBase)]);
    let decision;
    try {
      decision = decideMerge(command, duplicate.state, survivor.state);
    } catch (err) {
      if (err instanceof DomainError) throw reused;
      throw err;
    }
    const result = await this.store.appendMany(
      [
        { streamId: actionStream(actionId), events: decision.duplicate as NewEvent[], expectedVersion: duplicateBase },
        { streamId: actionStream(into), events: decision.survivor as NewEvent[], expectedVersion: survivorBase },
      ],
      append,
    );
    return { id: actionId, version: result.streams[0].version, position: result.lastPosition, replayed: result.replayed };
  }
}

function fold(history: readonly StoredEvent[]): ActionState {
  return history.reduce((s, e) => evolveAction(s, e as unknown as ActionEvent), initialActionState);
}
