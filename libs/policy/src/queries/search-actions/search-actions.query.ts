import { z } from 'zod';
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  DATE_PRECISIONS,
  JURISDICTION_LEVELS,
  actionIdSchema,
  type ActionKind,
  type ActionStatus,
  type JurisdictionLevel,
} from '../../domain';

export interface ActionSearchFilters {
  /** Acting, affected, below it, or inherited from its ancestors (as its timeline shows them). */
  jurisdictionId?: string;
  /** Acting jurisdiction's level. */
  levels?: JurisdictionLevel[];
  kinds?: ActionKind[];
  /** Default: published only. */
  statuses?: ActionStatus[];
  /** First day, 'YYYY-MM-DD', compared with the start day of occurredOn as the timeline does. */
  from?: string;
  /** Last day, 'YYYY-MM-DD'. */
  to?: string;
  cursor?: string;
  limit?: number;
}

/**
 * Actions whose words match `q` (web-search syntax: "quoted phrase", -excluded, or), best first;
 * a query that is exactly a citation or docket number finds the actions that cite it, first.
 */
export class SearchActionsQuery {
  constructor(
    readonly q: string,
    readonly filters: ActionSearchFilters = {},
  ) {}
}

export const SEARCH_MAX_QUERY_LENGTH = 500;
export const SEARCH_DEFAULT_LIMIT = 20;
export const SEARCH_MAX_LIMIT = 100;

const LEVELS_OR_UNKNOWN = [...JURISDICTION_LEVELS, 'unknown'] as const;

export const actionSearchHitSchema = z
  .strictObject({
    actionId: actionIdSchema,
    title: z.string(),
    kind: z.enum(ACTION_KINDS),
    status: z.enum(ACTION_STATUSES),
    occurredOn: z.string().meta({ description: "as precisely as it is known: '2017-01-25', '2017-01' or '2017'" }),
    precision: z.enum(DATE_PRECISIONS),
    level: z
      .enum(LEVELS_OR_UNKNOWN)
      .meta({ description: "the acting jurisdiction's level ('unknown' when the acting jurisdiction is not in the directory)" }),
    actingJurisdictionId: z.string(),
    snippet: z.string().meta({
      description:
        'a passage of the summary as safe HTML: the text is escaped and each matching word is wrapped in <mark>…</mark>; fragments are joined by " … "',
    }),
    exactMatch: z.boolean().meta({ description: 'the query is exactly one of its citations or docket numbers' }),
    rank: z.number().min(0).meta({ description: 'text relevance, from 0 up to (not including) 1; exact citation matches come first whatever their rank' }),
  })
  .meta({ id: 'ActionSearchHit' });

const counts = (what: string) =>
  z.record(z.string(), z.int().min(1)).meta({ description: `matches by ${what}, over all matches (not only this page); absent keys have none` });

export const actionSearchSchema = z
  .strictObject({
    q: z.string(),
    total: z.int().min(0).meta({ description: 'how many actions match, over all pages' }),
    facets: z.strictObject({
      kind: counts('action kind'),
      level: counts("acting jurisdiction's level"),
    }),
    results: z.array(actionSearchHitSchema),
    nextCursor: z.string().nullable().meta({ description: 'the `cursor` of the next page; null on the last page' }),
  })
  .meta({ id: 'ActionSearch' });

export type ActionSearchHit = z.output<typeof actionSearchHitSchema>;
export type ActionSearch = z.output<typeof actionSearchSchema>;
