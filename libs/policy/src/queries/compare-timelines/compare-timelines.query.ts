import { z } from 'zod';
import { ACTION_KINDS, DATE_PRECISIONS, JURISDICTION_LEVELS, actionIdSchema, type ActionKind, type JurisdictionLevel } from '../../domain';

export interface CompareFilters {
  /** Start day, 'YYYY-MM-DD'. */
  from?: string;
  /** End day, 'YYYY-MM-DD'. */
  to?: string;
  /** Acting jurisdiction's level. */
  levels?: JurisdictionLevel[];
  kinds?: ActionKind[];
  cursor?: string;
  limit?: number;
}

/** Several jurisdictions' timelines side by side: one row per action, a column per jurisdiction. */
export class CompareTimelinesQuery {
  constructor(
    readonly jurisdictionIds: readonly string[],
    readonly filters: CompareFilters = {},
  ) {}
}

export const COMPARE_MIN_JURISDICTIONS = 2;
export const COMPARE_MAX_JURISDICTIONS = 6;
export const COMPARE_DEFAULT_LIMIT = 100;
export const COMPARE_MAX_LIMIT = 500;

export const comparedJurisdictionSchema = z
  .strictObject({ id: z.string(), name: z.string(), level: z.enum(JURISDICTION_LEVELS) })
  .meta({ id: 'ComparedJurisdiction' });

export const comparisonCellSchema = z
  .strictObject({
    jurisdictionId: z.string().meta({ description: 'the compared jurisdiction whose timeline holds the action' }),
    inherited: z.boolean(),
    via: z.string().nullable().meta({ description: 'for an inherited entry, the ancestor it reached this jurisdiction through' }),
    viaName: z.string().nullable().meta({ description: "that ancestor's name" }),
  })
  .meta({ id: 'ComparisonCell' });

export const comparisonRowSchema = z
  .strictObject({
    actionId: actionIdSchema,
    occurredOn: z.string().meta({ description: "as precisely as it is known: '2017-01-25', '2017-01' or '2017'" }),
    precision: z.enum(DATE_PRECISIONS),
    kind: z.enum(ACTION_KINDS),
    title: z.string(),
    level: z
      .enum([...JURISDICTION_LEVELS, 'unknown'])
      .meta({ description: "the acting jurisdiction's level ('unknown' when the acting jurisdiction is not in the directory)" }),
    actingJurisdictionId: z.string(),
    sourceCount: z.int().min(0),
    shared: z.boolean().meta({ description: 'on more than one of the compared timelines' }),
    columns: z
      .array(comparisonCellSchema)
      .min(1)
      .meta({ description: 'the compared jurisdictions whose timelines hold it, in the order they were asked for' }),
  })
  .meta({ id: 'ComparisonRow' });

export const comparisonSchema = z
  .strictObject({
    jurisdictions: z.array(comparedJurisdictionSchema).meta({ description: 'the columns, in the order asked for' }),
    from: z.string().nullable().meta({ description: 'first day compared (YYYY-MM-DD); null when open' }),
    to: z.string().nullable().meta({ description: 'last day compared (YYYY-MM-DD); null when open' }),
    rows: z.array(comparisonRowSchema),
    nextCursor: z.string().nullable().meta({ description: 'the `cursor` of the next page; null on the last page' }),
  })
  .meta({ id: 'Comparison' });

export type ComparedJurisdiction = z.output<typeof comparedJurisdictionSchema>;
export type ComparisonCell = z.output<typeof comparisonCellSchema>;
export type ComparisonRow = z.output<typeof comparisonRowSchema>;
export type Comparison = z.output<typeof comparisonSchema>;
