import type { Transaction } from 'kysely';
import type { EventStoreTables } from '@app/event-store';
import type { ApplySourceUpdate, ProposeAction } from '../../domain';
import type { CommandMeta } from '../../streams';

/** One ingested item: a new proposal, or what changed upstream in one proposed earlier. */
export type BatchItem = ProposeAction | ApplySourceUpdate;

/**
 * A page of ingested items, stored at once: every item's events in one transaction with the
 * caller's own rows (`alsoWrite`: the source's cursor, the items' hashes), so a page is stored
 * whole or not at all. An item the domain refuses is answered as refused, and the rest go on.
 */
export class ProposeBatchCommand {
  constructor(
    readonly items: readonly BatchItem[],
    /** Receives the outcomes, to write rows that depend on them in the same transaction. */
    readonly alsoWrite: (trx: Transaction<EventStoreTables>, outcomes: readonly BatchOutcome[]) => Promise<void>,
    readonly meta: CommandMeta = {},
  ) {}
}

export type BatchOutcome =
  | { actionId: string; outcome: 'proposed' | 'corrected' | 'suggested' | 'unchanged' }
  | { actionId: string; outcome: 'refused'; code: string; message: string };
