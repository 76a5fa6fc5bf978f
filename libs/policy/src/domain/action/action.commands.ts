import { z } from 'zod';
import {
  ACTION_LIMITS,
  actionChangesSchema,
  actionContentSchema,
  actionIdSchema,
  proposalSchema,
  reasonSchema,
  relationSchema,
  sourceSchema,
} from './action.schema';

// Each command's data has a strict schema: `decide` parses with it, the API may reuse it.

const relationsSchema = z
  .array(relationSchema)
  .max(ACTION_LIMITS.relations, `must have at most ${ACTION_LIMITS.relations} relations`)
  .default([]);

export const actionCommandDataSchemas = {
  RecordAction: z.strictObject({ actionId: actionIdSchema, content: actionContentSchema, relations: relationsSchema }),
  ProposeAction: z.strictObject({
    actionId: actionIdSchema,
    content: actionContentSchema,
    relations: relationsSchema,
    proposal: proposalSchema,
  }),
  PublishProposal: z.strictObject({ actionId: actionIdSchema }),
  RejectProposal: z.strictObject({ actionId: actionIdSchema, reason: reasonSchema }),
  CorrectAction: z.strictObject({ actionId: actionIdSchema, changes: actionChangesSchema, reason: reasonSchema }),
  RetractAction: z.strictObject({ actionId: actionIdSchema, reason: reasonSchema }),
  LinkAction: z.strictObject({ actionId: actionIdSchema, relation: relationSchema.shape.relation, targetId: actionIdSchema }),
  AttachSource: z.strictObject({ actionId: actionIdSchema, source: sourceSchema }),
  ApplySourceUpdate: z.strictObject({ actionId: actionIdSchema, changes: actionChangesSchema, reason: reasonSchema }),
  AcceptSuggestedCorrection: z.strictObject({ actionId: actionIdSchema }),
  DismissSuggestedCorrection: z.strictObject({ actionId: actionIdSchema, reason: reasonSchema }),
  MergeActions: z.strictObject({ actionId: actionIdSchema, into: actionIdSchema, reason: reasonSchema }),
};

type Schemas = typeof actionCommandDataSchemas;
type Command<T extends keyof Schemas> = { type: T; data: z.input<Schemas[T]> };

/** Publish a curated action at once. `relations` link it to earlier actions. */
export type RecordAction = Command<'RecordAction'>;
/** An ingested action awaiting review; `proposal` names where it came from. */
export type ProposeAction = Command<'ProposeAction'>;
export type PublishProposal = Command<'PublishProposal'>;
export type RejectProposal = Command<'RejectProposal'>;
/** Replace some content fields (never status, id or relations). */
export type CorrectAction = Command<'CorrectAction'>;
export type RetractAction = Command<'RetractAction'>;
export type LinkAction = Command<'LinkAction'>;
export type AttachSource = Command<'AttachSource'>;
/**
 * What ingestion found changed upstream in an item it proposed: a correction while the action is
 * still proposed, a suggestion for the curator once it is published, nothing once it is closed.
 */
export type ApplySourceUpdate = Command<'ApplySourceUpdate'>;
export type AcceptSuggestedCorrection = Command<'AcceptSuggestedCorrection'>;
export type DismissSuggestedCorrection = Command<'DismissSuggestedCorrection'>;

/**
 * Fold a duplicate (`actionId`) into its survivor (`into`). It decides over two streams, so it is
 * not an ActionCommand: `decideMerge` takes both states.
 */
export type MergeActions = Command<'MergeActions'>;

export type ActionCommand =
  | RecordAction
  | ProposeAction
  | PublishProposal
  | RejectProposal
  | CorrectAction
  | RetractAction
  | LinkAction
  | AttachSource
  | ApplySourceUpdate
  | AcceptSuggestedCorrection
  | DismissSuggestedCorrection;

export type ActionCommandType = ActionCommand['type'];
