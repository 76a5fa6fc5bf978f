import { z } from 'zod';
import { pageSchema } from '../page';
import { JURISDICTION_LEVELS, type JurisdictionLevel } from '../../domain';

/** The jurisdiction directory: by name (and state), parent and level, best match first, a page after a cursor. */
export class SearchJurisdictionsQuery {
  constructor(readonly filters: { q?: string; parentId?: string; level?: JurisdictionLevel; cursor?: string; limit?: number } = {}) {}
}

export const jurisdictionSummarySchema = z
  .strictObject({
    id: z.string().meta({ description: 'its Open Civic Data division id' }),
    name: z.string().meta({ description: 'as the OCD data names it: "Philadelphia city", "Santa Clara County"' }),
    displayName: z.string().meta({ description: 'the name a reader expects, with its state: "Philadelphia, PA", "Santa Clara County, CA"' }),
    level: z.enum(JURISDICTION_LEVELS),
    parentId: z.string().nullable().meta({ description: 'the jurisdiction it sits in; null for a country' }),
  })
  .meta({ id: 'JurisdictionSummary' });

export const directoryEntrySchema = jurisdictionSummarySchema
  .extend({
    actionCount: z
      .int()
      .min(0)
      .meta({ description: "published actions on its timeline now: its own, its consolidated twin's, and those inherited from above" }),
  })
  .meta({ id: 'DirectoryEntry' });

export const jurisdictionsPageSchema = pageSchema(directoryEntrySchema, 'JurisdictionsPage');

export type JurisdictionSummary = z.output<typeof jurisdictionSummarySchema>;
export type DirectoryEntry = z.output<typeof directoryEntrySchema>;
export type JurisdictionsPage = z.output<typeof jurisdictionsPageSchema>;

export const DIRECTORY_MAX_LIMIT = 500;
