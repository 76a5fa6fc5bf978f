import { Injectable, Logger, Optional } from '@nestjs/common';
import {
  EventStore,
  IdempotencyKeyReusedError,
  ProjectionRunner,
  ProjectionWaitTimeoutError,
  VersionConflictError,
  loadDecideAppend,
  type AppendOptions,
  type NewEvent,
  type StoredEvent,
} from '@app/event-store';
import {
  DomainError,
  collectReferences,
  decideAction,
  evolveAction,
  initialActionState,
  type ActionCommand,
  type ActionDecideContext,
  type ActionEvent,
} from '../domain';
import { actionRelationsProjection, linksIn } from '../projections/action-relations.projection';
import { ActionRepository } from '../repositories/action.repository';
import { JurisdictionRepository } from '../repositories/jurisdiction.repository';
import { actionStream, eventMetadata, type CommandMeta } from '../streams';

/** Who asked, and the version they last saw (If-Match) when the command changes an action. */
export interface ActionCommandMeta extends CommandMeta {
  expectedVersion?: number;
}

export interface ActionCommandResult {
  id: string;
  version: number;
  position: number;
  /** True when an Idempotency-Key matched an earlier request and nothing was appended. */
  replayed: boolean;
}

const VISIBILITY_WAIT_MS = 2000;

/**
 * What every action command's handler shares: look up what the command references, load the
 * action's stream, decide, append with the expected version (one transaction with the inline
 * read models), answer a retry under the same Idempotency-Key with the first result, and wait
 * until the relation graph shows the write. Each handler says which command it runs.
 */
@Injectable()
export class ActionWriter {
  private readonly logger = new Logger('ActionWriter');

  constructor(
    private readonly store: EventStore,
    private readonly jurisdictions: JurisdictionRepository,
    private readonly actions: ActionRepository,
    /** Absent where no runner keeps the relation graph (a seed): nothing to wait for. */
    @Optional() private readonly runner?: ProjectionRunner,
  ) {}

  async write(command: ActionCommand, meta: ActionCommandMeta): Promise<ActionCommandResult> {
    const id = command.data.actionId;
    const creates = command.type === 'RecordAction' || command.type === 'ProposeAction';
    const refs = collectReferences(command);
    const context: ActionDecideContext = {
      missingJurisdictions: await this.jurisdictions.missing(refs.jurisdictionIds),
      missingActions: await this.actions.missing(refs.actionIds.filter((a) => a !== id)),
    };
    const append = { metadata: eventMetadata(meta), idempotencyKey: meta.idempotencyKey };
    const retry = (baseVersion: number | null) => this.replay(command, meta, context, append, baseVersion);

    if (meta.idempotencyKey) {
      const earlier = await this.earlierBaseVersion(meta.idempotencyKey, id);
      if (earlier !== undefined) return retry(earlier);
    }

    try {
      const result = await loadDecideAppend(
        this.store,
        actionStream(id),
        {
          initialState: initialActionState,
          evolve: (state, event) => evolveAction(state, event as unknown as ActionEvent),
          decide: (state) => decideAction(command, state, context) as NewEvent[],
          expectedVersion: meta.expectedVersion,
          createsStream: creates && meta.expectedVersion === undefined,
        },
        append,
      );
      const answer = { id, version: result.version, position: result.lastPosition, replayed: result.replayed };
      // A replay appended nothing: the first request already waited for its events.
      return result.replayed ? answer : this.visible(answer, result.events);
    } catch (err) {
      // A concurrent retry of this same request may have committed between the key lookup
      // above and the stream load: then this one saw "already exists" or a version conflict
      // where it should answer with the first result.
      if (meta.idempotencyKey && (err instanceof DomainError || err instanceof VersionConflictError)) {
        const committed = await this.earlierBaseVersion(meta.idempotencyKey, id);
        if (committed !== undefined) return retry(committed);
      }
      if (!(err instanceof VersionConflictError)) throw err;
      if (creates) {
        throw new DomainError('ACTION.ALREADY_EXISTS', `action ${id} already exists`, { details: { actionId: id } });
      }
      // An If-Match on an action that does not exist: it is missing (404), not stale (409).
      if (err.actualVersion === 0) {
        throw new DomainError('ACTION.UNKNOWN', `no action ${id}`, { details: { actionId: id } });
      }
      throw new DomainError('POLICY.VERSION_CONFLICT', `action ${id} is at version ${err.actualVersion}`, {
        details: { actionId: id, currentVersion: err.actualVersion, expectedVersion: err.expectedVersion },
      });
    }
  }

  /**
   * The version the action's stream was at before the append an idempotency key was first
   * used for; null when the key was used for something else than one append to this action
   * (a reused key); undefined when the key is new.
   */
  private async earlierBaseVersion(key: string, actionId: string): Promise<number | null | undefined> {
    const earlier = await this.store.findIdempotentAppend(key);
    if (!earlier) return undefined;
    const [only, ...others] = earlier.streams;
    return others.length === 0 && only.streamId === actionStream(actionId) ? only.fromVersion - 1 : null;
  }

  /**
   * A write answers once the asynchronous relation graph includes it, so the next read sees
   * it; a write that adds no link has nothing there to wait for. Whatever happens while
   * waiting, the write stands: it is committed, and an error now would make the client retry
   * or give up on a write that happened. A stopped projection or a lost connection is logged;
   * running out of time is not, since it is expected whenever an older transaction anywhere
   * on the server holds the gap-safe horizon back (the link shows once that one ends). Public
   * for the handlers that append to several streams themselves (a merge).
   */
  async visible(result: ActionCommandResult, events: readonly StoredEvent[]) {
    if (!this.runner || linksIn(events).length === 0) return result;
    try {
      // Only the relation graph: the ledger's seal follows on its own time.
      await this.runner.waitFor({ transactionId: events.at(-1)!.transactionId, position: result.position }, VISIBILITY_WAIT_MS, [actionRelationsProjection.name]);
    } catch (err) {
      if (!(err instanceof ProjectionWaitTimeoutError)) {
        this.logger.warn(`action ${result.id} is stored; its read models are not up to date yet: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return result;
  }

  /**
   * A retry under an Idempotency-Key already used. Decide as the first request did — on the
   * stream as it stood before that request appended — and append with the same expectation,
   * so the store sees the same request (its hash covers stream, expected version and events)
   * and answers with the first result. Anything that cannot be that same request is a reused key.
   */
  private async replay(
    command: ActionCommand,
    meta: ActionCommandMeta,
    context: ActionDecideContext,
    append: AppendOptions,
    baseVersion: number | null,
  ): Promise<ActionCommandResult> {
    const id = command.data.actionId;
    const reused = new IdempotencyKeyReusedError(meta.idempotencyKey!);
    if (baseVersion === null) throw reused;
    if (meta.expectedVersion !== undefined && meta.expectedVersion !== baseVersion) throw reused;
    const history = await this.store.readStream(actionStream(id), { toVersion: baseVersion });
    const state = history.reduce((s, e) => evolveAction(s, e as unknown as ActionEvent), initialActionState);
    let events: NewEvent[];
    try {
      events = decideAction(command, state, context) as NewEvent[];
    } catch (err) {
      if (err instanceof DomainError) throw reused;
      throw err;
    }
    const result = await this.store.append(actionStream(id), events, { ...append, expectedVersion: baseVersion });
    return { id, version: result.version, position: result.lastPosition, replayed: result.replayed };
  }
}
