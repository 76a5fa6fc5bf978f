import { z } from 'zod';
import { pageSchema } from '@app/policy';
import { runSchema } from '../list-sources/list-sources.query';

/** Runs newest first, of one source or all. */
export class ListRunsQuery {
  constructor(readonly filters: { sourceId?: string; cursor?: string; limit?: number } = {}) {}
}

export const runsPageSchema = pageSchema(runSchema, 'IngestionRunsPage');

export type RunsPage = z.output<typeof runsPageSchema>;
