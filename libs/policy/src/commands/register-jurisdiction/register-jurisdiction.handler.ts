import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore, VersionConflictError, loadDecideAppend } from '@app/event-store';
import {
  DomainError,
  decideJurisdiction,
  evolveJurisdiction,
  initialJurisdictionState,
  resolveParentId,
  type JurisdictionEvent,
} from '../../domain';
import { ReferencesRepository } from '../../references.repository';
import { eventMetadata, jurisdictionStream } from '../../streams';
import { RegisterJurisdictionCommand, type RegisterJurisdictionResult } from './register-jurisdiction.command';

@CommandHandler(RegisterJurisdictionCommand)
export class RegisterJurisdictionHandler implements ICommandHandler<RegisterJurisdictionCommand, RegisterJurisdictionResult> {
  constructor(
    private readonly store: EventStore,
    private readonly references: ReferencesRepository,
  ) {}

  async execute({ data, meta }: RegisterJurisdictionCommand): Promise<RegisterJurisdictionResult> {
    const command = { type: 'RegisterJurisdiction' as const, data };
    const parentId = resolveParentId(command);
    const parentExists = parentId !== null && (await this.references.missingJurisdictions([parentId])).length === 0;
    try {
      const result = await loadDecideAppend(
        this.store,
        jurisdictionStream(data.id),
        {
          initialState: initialJurisdictionState,
          evolve: (state, event) => evolveJurisdiction(state, event as unknown as JurisdictionEvent),
          // A registration creates its stream: the append's expectation (no stream yet) is the
          // existence check, and a retry under the same Idempotency-Key is the same request,
          // which the store answers with the first result.
          createsStream: true,
          decide: (state) => {
            // A parent that is simply not registered yet is an unknown reference, like an
            // unknown jurisdiction named in an action (422 JURISDICTION.UNKNOWN), not a
            // malformed request: decide as if it existed, and only if every other rule
            // passes, report it as missing.
            const events = decideJurisdiction(command, state, { parentExists: true });
            if (parentId !== null && !parentExists) {
              throw new DomainError('JURISDICTION.UNKNOWN', `parent ${parentId} is not registered`, {
                errors: [{ path: 'parentId', message: `jurisdiction ${parentId} is not registered` }],
                details: { id: data.id, parentId },
              });
            }
            return events;
          },
        },
        { metadata: eventMetadata(meta), idempotencyKey: meta.idempotencyKey },
      );
      return { id: data.id, version: result.version, position: result.lastPosition };
    } catch (err) {
      // Two registrations raced: the loser sees the stream the winner created.
      if (err instanceof VersionConflictError) {
        throw new DomainError('JURISDICTION.ALREADY_EXISTS', `jurisdiction ${data.id} is already registered`, {
          details: { id: data.id },
        });
      }
      throw err;
    }
  }
}
