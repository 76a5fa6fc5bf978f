import { z } from 'zod';
import { runSchema } from '../list-sources/list-sources.query';

/** Runs newest first, of one source or all. */
export class ListRunsQuery {
  constructor(readonly filters: { sourceId?: string; cursor?: string; limit?: number } = {}) {}
}

export const runsPageSchema = z
  .strictObject({
    items: z.array(runSchema),
    nextCursor: z.string().nullable().meta({ description: 'the `cursor` of the next page; null on the last page' }),
  })
  .meta({ id: 'IngestionRunsPage' });

export type RunsPage = z.output<typeof runsPageSchema>;
