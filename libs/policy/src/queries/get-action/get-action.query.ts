import { z } from 'zod';
import {
  ACTION_STATUSES,
  RELATION_TYPES,
  actionContentSchema,
  actionIdSchema,
  proposalSchema,
  relationSchema,
  suggestedCorrectionSchema,
} from '../../domain';

/** An action as it stands now, with the links other actions make to it. */
export class GetActionQuery {
  constructor(readonly actionId: string) {}
}

/** The domain's PolicyAction (its content, status and outgoing links) with what the read model adds. */
export const actionDetailSchema = actionContentSchema
  .extend({
    id: actionIdSchema,
    status: z.enum(ACTION_STATUSES),
    relations: z.array(relationSchema).meta({ description: 'links from this action to others' }),
    proposal: proposalSchema.nullable().meta({ description: 'where an ingested action came from; null for a curated one' }),
    statusReason: z.string().nullable().meta({ description: 'why it was rejected, retracted or merged; null otherwise' }),
    mergedInto: actionIdSchema.nullable().meta({ description: 'the action a merged duplicate was folded into (its sources went there); null unless merged' }),
    suggestion: suggestedCorrectionSchema
      .nullable()
      .meta({ description: 'a correction ingestion found upstream, for a curator to accept or dismiss; null when none is pending' }),
    version: z.int().min(1).meta({ description: 'the version of its stream; the ETag, and what If-Match sends back' }),
    recordedAt: z.string().meta({ description: 'when the ledger first recorded it (ISO 8601)' }),
    updatedAt: z.string().meta({ description: 'when the ledger last recorded a change to it (ISO 8601)' }),
    incoming: z
      .array(z.strictObject({ relation: z.enum(RELATION_TYPES), sourceId: actionIdSchema }))
      .meta({ description: 'links from other actions to this one' }),
  })
  .meta({ id: 'ActionDetail' });

export type ActionDetail = z.output<typeof actionDetailSchema>;
