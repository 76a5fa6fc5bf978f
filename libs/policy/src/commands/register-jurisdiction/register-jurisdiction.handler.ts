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
import { JurisdictionRepository } from '../../repositories/jurisdiction.repository';
import { eventMetadata, jurisdictionStream } from '../../streams';
import { RegisterJurisdictionCommand, type RegisterJurisdictionResult } from './register-jurisdiction.command';

@CommandHandler(RegisterJurisdictionCommand)
export class RegisterJurisdictionHandler implements ICommandHandler<RegisterJurisdictionCommand, RegisterJurisdictionResult> {
  constructor(
    private readonly store: EventStore,
    private readonly jurisdictions: JurisdictionRepository,
  ) {}

  async execute({ data, meta }: RegisterJurisdictionCommand): Promise<RegisterJurisdictionResult> {
    const command = { type: 'RegisterJurisdiction' as const, data };
    const parentId = resolveParentId(command);
    const parentExists = parentId !== null && (await this.jurisdictions.missing([parentId])).length === 0;
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
          decide: (state) => decideJurisdiction(command, state, { parentExists }),
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
