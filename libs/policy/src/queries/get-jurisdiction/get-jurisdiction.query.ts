import { z } from 'zod';
import { ACTION_KINDS, JURISDICTION_LEVELS } from '../../domain';
import { jurisdictionSummarySchema } from '../search-jurisdictions/search-jurisdictions.query';

/** One directory entry: its place in the tree and what its own timeline holds. */
export class GetJurisdictionQuery {
  constructor(readonly id: string) {}
}

const count = z.int().min(0);

export const jurisdictionDetailSchema = jurisdictionSummarySchema
  .extend({
    ancestors: z.array(z.string()).meta({ description: 'the jurisdictions it sits in, nearest first' }),
    registeredAt: z.string(),
    childCount: count,
    consolidatedWith: jurisdictionSummarySchema.nullable().meta({
      description:
        'for a consolidated city-county (San Francisco, Philadelphia, Denver…), its other OCD id: one government, whose timeline holds what was recorded on either',
    }),
    counts: z
      .strictObject({
        byLevel: z.partialRecord(z.enum([...JURISDICTION_LEVELS, 'unknown']), count),
        byKind: z.partialRecord(z.enum(ACTION_KINDS), count),
        total: count,
      })
      .meta({ description: 'published actions directly on this timeline, by acting level and by kind' }),
    latestAction: z
      .strictObject({
        actionId: z.string(),
        title: z.string(),
        kind: z.enum(ACTION_KINDS),
        occurredOn: z.string().meta({ description: "as precisely as it is known: '2017-01-25', '2017-01' or '2017'" }),
      })
      .nullable(),
  })
  .meta({ id: 'JurisdictionDetail' });

export type JurisdictionDetail = z.output<typeof jurisdictionDetailSchema>;
