import { z } from 'zod';
import { pageSchema } from '@app/policy';
import type { ParkedStatus } from '../../repositories/parked.repository';

export const PARKED_STATUSES = ['parked', 'retried', 'dismissed'] as const satisfies readonly ParkedStatus[];

/** Parked items newest first: by default those still waiting. */
export class ListParkedQuery {
  constructor(readonly filters: { sourceId?: string; status?: ParkedStatus; cursor?: string; limit?: number } = {}) {}
}

export const parkedItemSchema = z
  .object({
    id: z.int(),
    sourceId: z.string(),
    externalId: z.string().nullable(),
    stage: z.enum(['parse', 'propose']).meta({ description: "'parse': the source's item could not be read; 'propose': the ledger refused its proposal" }),
    raw: z.unknown().meta({ description: "the source's item as received, or the proposal the ledger refused" }),
    reason: z.string(),
    runId: z.int().nullable(),
    parkedAt: z.string(),
    status: z.enum(PARKED_STATUSES),
    resolvedAt: z.string().nullable(),
    resolutionReason: z.string().nullable().meta({ description: 'why the curator dismissed it, when they said (null while parked, and for a retry)' }),
    resolvedBy: z.string().nullable().meta({ description: 'who retried or dismissed it: `key:<api key id>` or `env:API_ADMIN_KEY` (null while parked)' }),
  })
  .meta({ id: 'ParkedItem' });

export const parkedPageSchema = pageSchema(parkedItemSchema, 'ParkedItemsPage');

export type ParkedItemView = z.output<typeof parkedItemSchema>;
export type ParkedPage = z.output<typeof parkedPageSchema>;
