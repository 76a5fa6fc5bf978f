import type { ActionChanges, ActionContent, Proposal, Relation, RelationType, Source } from './action.schema';

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

export type ActionEvent =
  | ActionRecorded
  | ActionProposed
  | ProposalPublished
  | ProposalRejected
  | ActionCorrected
  | ActionRetracted
  | ActionLinked
  | SourceAttached;

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
] as const satisfies readonly ActionEventType[];
