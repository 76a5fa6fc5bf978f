import { z } from 'zod';
import { actionIdSchema } from '../../domain';
import { actionSummarySchema } from '../list-actions/list-actions.query';

export interface DuplicateSearch {
  /** How many days before or after the action a candidate may have occurred (default 7). */
  days?: number;
  /** At most this many candidates (default 5). */
  limit?: number;
}

/**
 * Published actions that may record the same thing as this one, best first: the same kind,
 * occurred within `days` of it, with a title that shares enough of its words.
 */
export class FindDuplicatesQuery {
  constructor(
    readonly actionId: string,
    readonly search: DuplicateSearch = {},
  ) {}
}

export const DUPLICATES_DEFAULT_DAYS = 7;
export const DUPLICATES_MAX_DAYS = 60;
export const DUPLICATES_DEFAULT_LIMIT = 5;
export const DUPLICATES_MAX_LIMIT = 20;
/** The least title similarity a candidate needs. */
export const DUPLICATES_MIN_SIMILARITY = 0.3;
/** The nearest this many in time are compared: a busy stretch of the calendar costs no more than a quiet one. */
export const DUPLICATES_CANDIDATES_COMPARED = 200;

export const duplicateCandidateSchema = z
  .strictObject({
    action: actionSummarySchema,
    similarity: z
      .number()
      .min(0)
      .max(1)
      .meta({ description: "how alike the titles are, 0 to 1 to two decimals: Dice's coefficient of their words, stop words left out" }),
    daysApart: z.int().min(0).meta({ description: 'days between the two occurredOn (the first day of a month or year)' }),
  })
  .meta({ id: 'DuplicateCandidate' });

export const actionDuplicatesSchema = z
  .strictObject({
    actionId: actionIdSchema,
    items: z.array(duplicateCandidateSchema).meta({ description: 'most similar first; nearer in time, then recorded earlier, among equals' }),
  })
  .meta({ id: 'ActionDuplicates' });

export type DuplicateCandidate = z.output<typeof duplicateCandidateSchema>;
export type ActionDuplicates = z.output<typeof actionDuplicatesSchema>;
