import { z } from 'zod';
import { pageSchema } from '../page';
import { JURISDICTION_LEVELS, type JurisdictionLevel } from '../../domain';

/** The jurisdiction directory: by part of the name and level, a page after a cursor. */
export class SearchJurisdictionsQuery {
  constructor(readonly filters: { q?: string; level?: JurisdictionLevel; cursor?: string; limit?: number } = {}) {}
}

export const jurisdictionSummarySchema = z
  .strictObject({
    id: z.string().meta({ description: 'its Open Civic Data division id' }),
    name: z.string(),
    level: z.enum(JURISDICTION_LEVELS),
    parentId: z.string().nullable().meta({ description: 'the jurisdiction it sits in; null for a country' }),
  })
  .meta({ id: 'JurisdictionSummary' });

export const jurisdictionsPageSchema = pageSchema(jurisdictionSummarySchema, 'JurisdictionsPage');

export type JurisdictionSummary = z.output<typeof jurisdictionSummarySchema>;
export type JurisdictionsPage = z.output<typeof jurisdictionsPageSchema>;

export const DIRECTORY_MAX_LIMIT = 500;
