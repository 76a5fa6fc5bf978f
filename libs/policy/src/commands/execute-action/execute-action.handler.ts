import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  EventStore,
  IdempotencyKeyReusedError,
  ProjectionRunner,
  ProjectionWaitTimeoutError,
  VersionConflictError,
  loadDecideAppend,
  type AppendOptions,
  type NewEvent,
} from '@app/event-store';
import {
  DomainError,
  collectReferences,
  decideAction,
  evolveAction,
  initialActionState,
  type ActionDecideContext,
  type ActionEvent,
} from '../../domain';
import { ReferencesRepository } from '../../references.repository';
import { actionStream, eventMetadata } from '../../streams';
import { ExecuteActionCommand, type ActionCommandResult } from './execute-action.command';
import { findEarlierAppend, type EarlierAppend } from './idempotency.repository';

const VISIBILITY_WAIT_MS = 2000;

/** Load the action's stream, check what it references, decide, append with the expected version. */
@CommandHandler(ExecuteActionCommand)
export class ExecuteActionHandler implements ICommandHandler<ExecuteActionCommand, ActionCommandResult> {
  constructor(
    private readonly store: EventStore,
    private readonly references: ReferencesRepository,
    private readonly runner: ProjectionRunner,
  ) {}

  private readonly logger = new Logger('ExecuteAction');

  /**
   * A write answers once the asynchronous read models (the relation graph) include it, so the
   * next read sees it. Whatever happens while waiting (no runner catching up in time, a
   * stopped projection, a lost connection), the write stands: it is committed, and an error
   * now would make the client retry or give up on a write that happened. So it is logged.
   */
  private async visible(result: ActionCommandResult, transactionId: string): Promise<ActionCommandResult> {
    try {
      await this.runner.waitFor({ transactionId, position: result.position }, VISIBILITY_WAIT_MS);
    } catch (err) {
      if (!(err instanceof ProjectionWaitTimeoutError)) {
        this.logger.warn(`action ${result.id} is stored; its read models are not up to date yet: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return result;
  }

  async execute({ command, meta }: ExecuteActionCommand): Promise<ActionCommandResult> {
    const id = command.data.actionId;
    const creates = command.type === 'RecordAction' || command.type === 'ProposeAction';
    const refs = collectReferences(command);
    const context: ActionDecideContext = {
      missingJurisdictions: await this.references.missingJurisdictions(refs.jurisdictionIds),
      missingActions: await this.references.missingActions(refs.actionIds.filter((a) => a !== id)),
    };
    const append = { metadata: eventMetadata(meta), idempotencyKey: meta.idempotencyKey };
    const retry = (earlier: EarlierAppend) => this.replay(command, meta, context, append, earlier);

    const earlier = meta.idempotencyKey ? await findEarlierAppend(this.store.db, meta.idempotencyKey) : null;
    if (earlier) return retry(earlier);

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
      return result.replayed ? answer : this.visible(answer, result.events.at(-1)!.transactionId);
    } catch (err) {
      // A concurrent retry of this same request may have committed between the key lookup
      // above and the stream load: then this one saw "already exists" or a version conflict
      // where it should answer with the first result.
      if (meta.idempotencyKey && (err instanceof DomainError || err instanceof VersionConflictError)) {
        const committed = await findEarlierAppend(this.store.db, meta.idempotencyKey);
        if (committed) return retry(committed);
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
   * A retry under an Idempotency-Key already used. Decide as the first request did — on the
   * stream as it stood before that request appended — and append with the same expectation,
   * so the store sees the same request (its hash covers stream, expected version and events)
   * and answers with the first result. (Deciding on an empty stream with 'no_stream', as this
   * did before, never matched: the first append's expectation was the number 0 — and a
   * correction's was its If-Match.) Anything that cannot be that same request is a reused key.
   */
  private async replay(
    command: ExecuteActionCommand['command'],
    meta: ExecuteActionCommand['meta'],
    context: ActionDecideContext,
    append: AppendOptions,
    earlier: EarlierAppend,
  ): Promise<ActionCommandResult> {
    const id = command.data.actionId;
    const reused = new IdempotencyKeyReusedError(meta.idempotencyKey!);
    if (earlier.streamId !== actionStream(id)) throw reused;
    if (meta.expectedVersion !== undefined && meta.expectedVersion !== earlier.baseVersion) throw reused;
    const history = await this.store.readStream(actionStream(id), { toVersion: earlier.baseVersion });
    const state = history.reduce((s, e) => evolveAction(s, e as unknown as ActionEvent), initialActionState);
    let events: NewEvent[];
    try {
      events = decideAction(command, state, context) as NewEvent[];
    } catch (err) {
      if (err instanceof DomainError) throw reused;
      throw err;
    }
    const result = await this.store.append(actionStream(id), events, { ...append, expectedVersion: earlier.baseVersion });
    return { id, version: result.version, position: result.lastPosition, replayed: result.replayed };
  }
}
