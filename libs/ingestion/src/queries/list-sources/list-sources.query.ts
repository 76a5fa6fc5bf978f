import { z } from 'zod';
import { RUN_COUNTERS, RUN_TRIGGERS } from '../../database';
import { SOURCE_TYPES } from '../../sources/source';
import { sourceIdSchema } from '../../sources/source-settings';

/** Every source, with where it stopped, its last run and when it runs next. */
export class ListSourcesQuery {}

export const runSchema = z
  .object({
    id: z.int(),
    sourceId: z.string(),
    trigger: z.enum(RUN_TRIGGERS),
    status: z.enum(['running', 'succeeded', 'failed']),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    durationMs: z.int().nullable(),
    error: z.string().nullable(),
    ...Object.fromEntries(RUN_COUNTERS.map((c) => [c, z.int().min(0)])),
  })
  .meta({
    id: 'IngestionRun',
    description:
      'pages stored; items fetched; proposed (new), corrected (changed upstream while proposed), suggested (changed upstream once published), unchanged; parked (unreadable) and failed (refused by the ledger, parked too)',
  });

export const sourceSchema = z
  .object({
    id: sourceIdSchema,
    type: z.enum(SOURCE_TYPES),
    name: z.string(),
    config: z.record(z.string(), z.unknown()).meta({ description: "what the source stores; the environment's base URL and token are added when it runs" }),
    enabled: z.boolean(),
    schedule: z.string(),
    cursor: z.unknown().meta({ description: 'where the next run starts (null before the first)' }),
    cursorUpdatedAt: z.string().nullable(),
    lastRun: runSchema.nullable(),
    nextRunAt: z.string().nullable().meta({ description: 'null when the source is disabled or no worker schedules runs (no REDIS_URL)' }),
    parkedItems: z.int().min(0).meta({ description: 'items waiting in the parked list' }),
  })
  .meta({ id: 'IngestionSource' });

export const sourcesSchema = z.object({ items: z.array(sourceSchema) }).meta({ id: 'IngestionSources' });

export type SourceView = z.output<typeof sourceSchema>;
export type RunView = z.output<typeof runSchema>;
