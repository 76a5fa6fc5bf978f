import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore, VersionConflictError, type NewEvent, type StreamAppend } from '@app/event-store';
import { DomainError, collectReferences, decideAction, type ActionDecideContext, type ActionEvent } from '../../domain';
import { ActionRepository } from '../../repositories/action.repository';
import { JurisdictionRepository } from '../../repositories/jurisdiction.repository';
import { actionStream, eventMetadata } from '../../streams';
import { ProposeBatchCommand, type BatchOutcome } from './propose-batch.command';

// A curator who edits a proposal while its page is being stored makes the page's append
// conflict; the page is decided again on the new state. Each retry follows someone else's
// committed write, so a few are plenty.
const CONFLICT_RETRIES = 5;

const OUTCOME_OF: Partial<Record<ActionEvent['type'], 'proposed' | 'corrected' | 'suggested'>> = {
  ActionProposed: 'proposed',
  ActionCorrected: 'corrected',
  CorrectionSuggested: 'suggested',
};

@CommandHandler(ProposeBatchCommand)
export class ProposeBatchHandler implements ICommandHandler<ProposeBatchCommand, BatchOutcome[]> {
  constructor(
    private readonly store: EventStore,
    private readonly actions: ActionRepository,
    private readonly jurisdictions: JurisdictionRepository,
  ) {}

  async execute({ items, alsoWrite, meta }: ProposeBatchCommand): Promise<BatchOutcome[]> {
    const ids = items.map((i) => i.data.actionId);
    if (new Set(ids).size !== ids.length) throw new RangeError('a batch names each action once');
    const refs = items.map((i) => collectReferences(i));
    const missingJurisdictions = await this.jurisdictions.missing([...new Set(refs.flatMap((r) => r.jurisdictionIds))]);
    const missingActions = await this.actions.missing([...new Set(refs.flatMap((r) => r.actionIds))]);
    const context: ActionDecideContext = { missingJurisdictions, missingActions };

    for (let attempt = 1; ; attempt++) {
      // The actions read model is written in each append's transaction: its state and version
      // are the stream's, and the append's expected versions catch anything newer. A proposal
      // is new to its source, so the first attempt takes it to be new to the ledger too and
      // reads nothing for it; if its stream exists after all, the append conflicts and the next
      // attempt reads it and answers as a single proposal would (ACTION.ALREADY_EXISTS).
      const current = await this.actions.findMany(attempt === 1 ? items.filter((i) => i.type !== 'ProposeAction').map((i) => i.data.actionId) : ids);
      const appends: StreamAppend[] = [];
      const outcomes = items.map((item): BatchOutcome => {
        const actionId = item.data.actionId;
        const known = current.get(actionId);
        try {
          const events = decideAction(item, known?.state ?? null, context);
          if (events.length === 0) return { actionId, outcome: 'unchanged' };
          appends.push({ streamId: actionStream(actionId), events: events as NewEvent[], expectedVersion: known?.version ?? 'no_stream' });
          return { actionId, outcome: OUTCOME_OF[events[0].type] ?? 'corrected' };
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          return { actionId, outcome: 'refused', code: err.code, message: describe(err) };
        }
      });
      const write = (trx: Parameters<typeof alsoWrite>[0]) => alsoWrite(trx, outcomes);
      try {
        if (appends.length === 0) await this.store.db.transaction().execute(write);
        else await this.store.appendMany(appends, { metadata: eventMetadata(meta), alsoWrite: write });
        return outcomes;
      } catch (err) {
        if (!(err instanceof VersionConflictError) || attempt >= CONFLICT_RETRIES) throw err;
      }
    }
  }
}

function describe(err: DomainError): string {
  const fields = err.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
  return fields ? `${err.message} (${fields})` : err.message;
}
