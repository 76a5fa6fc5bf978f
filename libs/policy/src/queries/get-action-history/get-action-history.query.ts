import { z } from 'zod';
import { ACTION_EVENT_TYPES } from '../../domain';

/** Every event of an action's stream, oldest first: what changed, who did it and why. */
export class GetActionHistoryQuery {
  constructor(readonly actionId: string) {}
}

export const fieldChangeSchema = z
  .strictObject({ field: z.string(), before: z.unknown(), after: z.unknown() })
  .meta({ id: 'FieldChange', description: "a field of the action as it was before the event and after it (null when absent)" });

export const actionHistoryEntrySchema = z
  .strictObject({
    version: z.int().min(1),
    position: z.int().min(1),
    type: z.string().meta({ description: `the event type: ${ACTION_EVENT_TYPES.join(', ')}` }),
    recordedAt: z.string(),
    data: z.unknown().meta({ description: "the event's data, as its type defines it" }),
    metadata: z
      .strictObject({
        actor: z.string().optional(),
        actorName: z.string().optional().meta({ description: "the name of the API key that wrote it, when the key has one ('Alice (curator)')" }),
        correlationId: z.string().optional(),
        causationId: z.string().optional(),
      })
      .meta({ description: 'who wrote it (the API key) and why (the request, and the work it was part of)' }),
    changes: z.array(fieldChangeSchema).meta({ description: 'what the event did to the action, field by field (status, title, sources, …)' }),
  })
  .meta({ id: 'ActionHistoryEntry' });

export const actionHistorySchema = z
  .strictObject({
    actionId: z.string(),
    events: z.array(actionHistoryEntrySchema),
  })
  .meta({ id: 'ActionHistory' });

export type FieldChange = z.output<typeof fieldChangeSchema>;
export type ActionHistoryEntry = z.output<typeof actionHistoryEntrySchema>;
export type ActionHistory = z.output<typeof actionHistorySchema>;
