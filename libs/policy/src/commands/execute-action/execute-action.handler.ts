import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore, VersionConflictError, loadDecideAppend, type NewEvent } from '@app/event-store';
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
import { actionStream } from '../../streams';
import { ExecuteActionCommand, type ActionCommandResult } from './execute-action.command';

/** Load the action's stream, check what it references, decide, append with the expected version. */
@CommandHandler(ExecuteActionCommand)
export class ExecuteActionHandler implements ICommandHandler<ExecuteActionCommand, ActionCommandResult> {
  constructor(
    private readonly store: EventStore,
    private readonly references: ReferencesRepository,
  ) {}

  async execute({ command, meta }: ExecuteActionCommand): Promise<ActionCommandResult> {
    const id = command.data.actionId;
    const refs = collectReferences(command);
    const context: ActionDecideContext = {
      missingJurisdictions: await this.references.missingJurisdictions(refs.jurisdictionIds),
      missingActions: await this.references.missingActions(refs.actionIds.filter((a) => a !== id)),
    };
    const append = { metadata: { actor: meta.actor, correlationId: meta.correlationId }, idempotencyKey: meta.idempotencyKey };

    if (meta.idempotencyKey && (await this.references.idempotencyKeyUsed(meta.idempotencyKey))) {
      // A retry: decide as the first request did (on an empty stream); the store answers with
      // the first result if the events are the same, or refuses a reused key.
      const events = decideAction(command, initialActionState, context) as NewEvent[];
      const replay = await this.store.append(actionStream(id), events, { ...append, expectedVersion: 'no_stream' });
      return { id, version: replay.version, position: replay.lastPosition, replayed: replay.replayed };
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
        },
        append,
      );
      return { id, version: result.version, position: result.lastPosition, replayed: result.replayed };
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      if (command.type === 'RecordAction' || command.type === 'ProposeAction') {
        throw new DomainError('ACTION.ALREADY_EXISTS', `action ${id} already exists`, { details: { actionId: id } });
      }
      throw new DomainError('POLICY.VERSION_CONFLICT', `action ${id} is at version ${err.actualVersion}`, {
        details: { actionId: id, currentVersion: err.actualVersion, expectedVersion: err.expectedVersion },
      });
    }
  }
}
