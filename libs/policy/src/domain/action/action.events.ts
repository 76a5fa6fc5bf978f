import type { ActionChanges, ActionContent, Citation, Proposal, Relation, RelationType, Source } from './action.schema';

// Every event names its action, so a projection needs nothing but the event.

/** Curated entry: the action is published at once. */
export interface ActionRecorded {
  type: 'ActionRecorded';
  data: { actionId: string; content: ActionContent; relations: Relation[] };
}

/** Ingested entry: waits for a curator to publish or reject it. */
export interface ActionProposed {
  type: 'ActionProposed';
  data: { actionId: string; content: ActionContent; relations: Relation[]; proposal: Proposal };
}

export interface ProposalPublished {
  type: 'ProposalPublished';
  data: { actionId: string };
}

export interface ProposalRejected {
  type: 'ProposalRejected';
  data: { actionId: string; reason: string };
}

/** `changes` holds only the fields that really changed, each replaced whole. */
export interface ActionCorrected {
  type: 'ActionCorrected';
  data: { actionId: string; changes: ActionChanges; reason: string };
}

export interface ActionRetracted {
  type: 'ActionRetracted';
  data: { actionId: string; reason: string };
}

/** A typed link from this action to another (`this responds_to target`). */
export interface ActionLinked {
  type: 'ActionLinked';
  data: { actionId: string; relation: RelationType; targetId: string };
}

export interface SourceAttached {
  type: 'SourceAttached';
  data: { actionId: string; source: Source };
}

/** Ingestion saw the published action's source change; the curator decides. A newer suggestion replaces an older one. */
export interface CorrectionSuggested {
  type: 'CorrectionSuggested';
  data: { actionId: string; changes: ActionChanges; reason: string };
}

/** Follows the ActionCorrected that applied the suggestion (none when nothing still differed). */
export interface SuggestedCorrectionAccepted {
  type: 'SuggestedCorrectionAccepted';
  data: { actionId: string };
}

export interface SuggestedCorrectionDismissed {
  type: 'SuggestedCorrectionDismissed';
  data: { actionId: string; reason: string };
}

/** Written on the duplicate's stream; the same append writes DuplicateAbsorbed on the survivor's. */
export interface ActionMerged {
  type: 'ActionMerged';
  data: { actionId: string; into: string; reason: string };
}

/** Written on the survivor's stream: what it gained from the duplicate (only what it did not have). */
export interface DuplicateAbsorbed {
  type: 'DuplicateAbsorbed';
  data: { actionId: string; duplicateId: string; sources: Source[]; citations: Citation[]; relations: Relation[] };
}

export type ActionEvent =
  | ActionRecorded
  | ActionProposed
  | ProposalPublished
  | ProposalRejected
  | ActionCorrected
  | ActionRetracted
  | ActionLinked
  | SourceAttached
  | CorrectionSuggested
  | SuggestedCorrectionAccepted
  | SuggestedCorrectionDismissed
  | ActionMerged
  | DuplicateAbsorbed;

export type ActionEventType = ActionEvent['type'];

export const ACTION_EVENT_TYPES = [
  'ActionRecorded',
  'ActionProposed',
  'ProposalPublished',
  'ProposalRejected',
  'ActionCorrected',
  'ActionRetracted',
  'ActionLinked',
  'SourceAttached',
  'CorrectionSuggested',
  'SuggestedCorrectionAccepted',
  'SuggestedCorrectionDismissed',
  'ActionMerged',
  'DuplicateAbsorbed',
] as const satisfies readonly ActionEventType[];
