import type { ActionEvent } from './action.events';
import type { ActionContent, ActionStatus, Proposal, Relation, SuggestedCorrection } from './action.schema';

/** A policy action as its own stream tells it. */
export type PolicyAction = ActionContent & {
  id: string;
  status: ActionStatus;
  /** Outgoing links only; incoming ones live in projections. */
  relations: Relation[];
  /** Where an ingested action came from; null for curated ones. */
  proposal: Proposal | null;
  /** Why it was rejected, retracted or merged; null otherwise. */
  statusReason: string | null;
  /** The action a merged duplicate was folded into; null unless merged. */
  mergedInto: string | null;
  /** A correction ingestion suggests, awaiting a curator; null when none is pending. */
  suggestion: SuggestedCorrection | null;
};

/** null = empty stream: nothing recorded or proposed under this id. */
export type ActionState = PolicyAction | null;

export const initialActionState: ActionState = null;

export function evolveAction(state: ActionState, event: ActionEvent): ActionState {
  switch (event.type) {
    case 'ActionRecorded':
    case 'ActionProposed': {
      const { actionId, content, relations } = event.data;
      const proposal = event.type === 'ActionProposed' ? event.data.proposal : null;
      const status = event.type === 'ActionProposed' ? 'proposed' : 'published';
      return { ...content, id: actionId, status, relations, proposal, statusReason: null, mergedInto: null, suggestion: null };
    }
    case 'ProposalPublished':
      return { ...existing(state, event), status: 'published' };
    case 'ProposalRejected':
      return { ...existing(state, event), status: 'rejected', statusReason: event.data.reason };
    case 'ActionRetracted':
      return { ...existing(state, event), status: 'retracted', statusReason: event.data.reason };
    case 'ActionCorrected':
      return { ...existing(state, event), ...event.data.changes };
    case 'ActionLinked': {
      const current = existing(state, event);
      const { relation, targetId } = event.data;
      return { ...current, relations: [...current.relations, { relation, targetId }] };
    }
    case 'SourceAttached': {
      const current = existing(state, event);
      return { ...current, sources: [...current.sources, event.data.source] };
    }
    case 'CorrectionSuggested': {
      const { changes, reason } = event.data;
      return { ...existing(state, event), suggestion: { changes, reason } };
    }
    case 'ActionMerged': {
      const { into, reason } = event.data;
      return { ...existing(state, event), status: 'merged', statusReason: reason, mergedInto: into };
    }
    case 'DuplicateAbsorbed': {
      const current = existing(state, event);
      const { sources, citations, relations } = event.data;
      return {
        ...current,
        sources: [...current.sources, ...sources],
        citations: [...current.citations, ...citations],
        relations: [...current.relations, ...relations],
      };
    }
    case 'SuggestedCorrectionAccepted':
    case 'SuggestedCorrectionDismissed':
      return { ...existing(state, event), suggestion: null };
  }
}

/** Replays a stream from the empty state. */
export function foldAction(events: readonly ActionEvent[], initial: ActionState = initialActionState): ActionState {
  return events.reduce(evolveAction, initial);
}

// decide never emits these on an empty stream, so meeting one means a corrupt or misread stream.
function existing(state: ActionState, event: ActionEvent): PolicyAction {
  if (!state) throw new Error(`cannot apply ${event.type} to the empty stream of action ${event.data.actionId}`);
  return state;
}
