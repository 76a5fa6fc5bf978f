import type { z } from 'zod';
import { DomainError, type FieldError, fieldErrorsFrom } from '../policy.errors';
import type { ActionState, PolicyAction } from './action';
import { type ActionCommand, type MergeActions, actionCommandDataSchemas } from './action.commands';
import type { ActionEvent } from './action.events';
import { ACTION_LIMITS, type ActionChanges, actionContentSchema, type Citation, type Relation, type Source } from './action.schema';

/**
 * Results of the existence checks `decide` cannot do itself (they need I/O). The handler asks
 * `collectReferences(command)` what to look up and passes back the ids it could not find.
 */
export interface ActionDecideContext {
  missingJurisdictions: readonly string[];
  missingActions: readonly string[];
}

/** Context for commands that reference nothing (publish, reject, retract) or for tests. */
export const NOTHING_MISSING: ActionDecideContext = Object.freeze({ missingJurisdictions: [], missingActions: [] });

export interface ActionReferences {
  jurisdictionIds: string[];
  actionIds: string[];
}

interface ReferenceAt {
  path: string;
  id: string;
  to: 'jurisdiction' | 'action';
}

/**
 * The jurisdiction and action ids a command (or bare content / changes) refers to, deduplicated,
 * so the handler knows what to check. Tolerates unvalidated input: it runs before `decide`.
 */
export function collectReferences(commandOrContent: ActionCommand | Record<string, unknown>): ActionReferences {
  const refs = referencesOf(commandOrContent);
  const ids = (to: ReferenceAt['to']) => [...new Set(refs.filter((r) => r.to === to).map((r) => r.id))];
  return { jurisdictionIds: ids('jurisdiction'), actionIds: ids('action') };
}

function referencesOf(input: ActionCommand | Record<string, unknown>): ReferenceAt[] {
  const data = isCommand(input) ? (input.data as Record<string, unknown>) : undefined;
  if (!data) return contentReferences(input, '');
  switch (input.type) {
    case 'RecordAction':
    case 'ProposeAction':
      return [...contentReferences(data.content, 'content.'), ...relationReferences(data.relations)];
    case 'CorrectAction':
    case 'ApplySourceUpdate':
      return contentReferences(data.changes, 'changes.');
    case 'LinkAction':
      return typeof data.targetId === 'string' ? [{ path: 'targetId', id: data.targetId, to: 'action' }] : [];
    default:
      return [];
  }
}

function isCommand(input: unknown): input is ActionCommand {
  return typeof input === 'object' && input !== null && 'type' in input && 'data' in input;
}

function contentReferences(content: unknown, prefix: string): ReferenceAt[] {
  if (typeof content !== 'object' || content === null) return [];
  const { actingJurisdictionId, affectedJurisdictionIds, relations } = content as Record<string, unknown>;
  const refs: ReferenceAt[] = [];
  if (typeof actingJurisdictionId === 'string') {
    refs.push({ path: `${prefix}actingJurisdictionId`, id: actingJurisdictionId, to: 'jurisdiction' });
  }
  if (Array.isArray(affectedJurisdictionIds)) {
    affectedJurisdictionIds.forEach((id, i) => {
      if (typeof id === 'string') refs.push({ path: `${prefix}affectedJurisdictionIds.${i}`, id, to: 'jurisdiction' });
    });
  }
  return [...refs, ...relationReferences(relations)];
}

function relationReferences(relations: unknown): ReferenceAt[] {
  if (!Array.isArray(relations)) return [];
  return relations.flatMap((r: unknown, i) => {
    const targetId = (r as { targetId?: unknown } | null)?.targetId;
    return typeof targetId === 'string' ? [{ path: `relations.${i}.targetId`, id: targetId, to: 'action' as const }] : [];
  });
}

/** Decides what a command means for one action stream; throws DomainError when a rule says no. */
export function decideAction(command: ActionCommand, state: ActionState, context: ActionDecideContext): ActionEvent[] {
  switch (command.type) {
    case 'RecordAction':
    case 'ProposeAction': {
      const data = parse(command);
      if (state) {
        throw new DomainError('ACTION.ALREADY_EXISTS', `action ${data.actionId} already exists`, {
          details: { actionId: data.actionId, status: state.status },
        });
      }
      data.relations.forEach((relation, i) => checkLink(data.actionId, data.relations.slice(0, i), relation, `relations.${i}.targetId`));
      requireKnown(command, context);
      const { actionId, content, relations } = data;
      return 'proposal' in data
        ? [{ type: 'ActionProposed', data: { actionId, content, relations, proposal: data.proposal } }]
        : [{ type: 'ActionRecorded', data: { actionId, content, relations } }];
    }

    case 'PublishProposal':
    case 'RejectProposal': {
      const data = parse(command);
      const action = existing(state, data.actionId);
      if (action.status !== 'proposed') {
        throw new DomainError('ACTION.NOT_PROPOSED', `action ${action.id} is ${action.status}, not proposed`, {
          details: { actionId: action.id, status: action.status },
        });
      }
      return 'reason' in data
        ? [{ type: 'ProposalRejected', data: { actionId: action.id, reason: data.reason } }]
        : [{ type: 'ProposalPublished', data: { actionId: action.id } }];
    }

    case 'CorrectAction': {
      rejectLifecycleKeys(command.data.changes);
      const data = parse(command);
      const action = correctable(existing(state, data.actionId));
      requireKnown(command, context);
      const changes = changedFields(action, data.changes);
      if (Object.keys(changes).length === 0) {
        throw new DomainError('ACTION.NO_CHANGE', `the correction leaves action ${action.id} as it is`, {
          details: { actionId: action.id },
        });
      }
      checkMerged(action, changes);
      return [{ type: 'ActionCorrected', data: { actionId: action.id, changes, reason: data.reason } }];
    }

    case 'RetractAction': {
      const data = parse(command);
      const action = existing(state, data.actionId);
      if (action.status === 'retracted') {
        throw new DomainError('ACTION.ALREADY_RETRACTED', `action ${action.id} is already retracted`, {
          details: { actionId: action.id },
        });
      }
      if (action.status !== 'published') {
        // A proposal is rejected, not retracted: retraction withdraws something we had asserted.
        throw new DomainError('ACTION.NOT_PUBLISHED', `action ${action.id} is ${action.status}; only a published action can be retracted`, {
          details: { actionId: action.id, status: action.status },
        });
      }
      return [{ type: 'ActionRetracted', data: { actionId: action.id, reason: data.reason } }];
    }

    case 'LinkAction': {
      const data = parse(command);
      const action = correctable(existing(state, data.actionId));
      const relation = { relation: data.relation, targetId: data.targetId };
      checkLink(action.id, action.relations, relation, 'targetId');
      requireKnown(command, context);
      return [{ type: 'ActionLinked', data: { actionId: action.id, ...relation } }];
    }

    case 'AttachSource': {
      const data = parse(command);
      const action = correctable(existing(state, data.actionId));
      const duplicate = action.sources.find((s) => sameSource(s, data.source));
      if (duplicate) {
        throw new DomainError('ACTION.DUPLICATE_SOURCE', `action ${action.id} already cites ${duplicate.url}`, {
          details: { actionId: action.id, url: duplicate.url },
        });
      }
      if (action.sources.length >= ACTION_LIMITS.sources) {
        throw invalid([{ path: 'source', message: `an action has at most ${ACTION_LIMITS.sources} sources` }]);
      }
      return [{ type: 'SourceAttached', data: { actionId: action.id, source: data.source } }];
    }

    case 'ApplySourceUpdate': {
      rejectLifecycleKeys(command.data.changes);
      const data = parse(command);
      const action = existing(state, data.actionId);
      // A closed action stays closed: the curator already said no, withdrew it, or folded it into another.
      if (isClosed(action)) return [];
      requireKnown(command, context);
      const changes = changedFields(action, data.changes);
      if (Object.keys(changes).length === 0) return [];
      checkMerged(action, changes);
      const { actionId, reason } = { actionId: action.id, reason: data.reason };
      return action.status === 'proposed'
        ? [{ type: 'ActionCorrected', data: { actionId, changes, reason } }]
        : [{ type: 'CorrectionSuggested', data: { actionId, changes, reason } }];
    }

    case 'AcceptSuggestedCorrection':
    case 'DismissSuggestedCorrection': {
      const data = parse(command);
      const action = correctable(existing(state, data.actionId));
      if (!action.suggestion) {
        throw new DomainError('ACTION.NO_SUGGESTION', `action ${action.id} has no suggested correction`, {
          details: { actionId: action.id },
        });
      }
      if ('reason' in data) return [{ type: 'SuggestedCorrectionDismissed', data: { actionId: action.id, reason: data.reason } }];
      // Only what still differs: a curator may have made part of the change by hand meanwhile.
      const changes = changedFields(action, action.suggestion.changes);
      const accepted: ActionEvent = { type: 'SuggestedCorrectionAccepted', data: { actionId: action.id } };
      if (Object.keys(changes).length === 0) return [accepted];
      checkMerged(action, changes);
      const reason = `accepted suggested correction: ${action.suggestion.reason}`.slice(0, ACTION_LIMITS.reason);
      return [{ type: 'ActionCorrected', data: { actionId: action.id, changes, reason } }, accepted];
    }
  }
}

/** The events a merge appends to each of its two streams, in one transaction. */
export interface MergeDecision {
  duplicate: ActionEvent[];
  survivor: ActionEvent[];
}

/**
 * Folds a duplicate into its survivor. The duplicate ends `merged`; the survivor gains the
 * duplicate's sources (deduplicated as AttachSource does), citations (by kind and text) and
 * outgoing links (none to itself, none it already has). Both must be open and of the same kind:
 * two records of one real-world act agree on what it was, so a kind that differs means one of
 * them is wrong (correct it first) or they are not duplicates.
 */
export function decideMerge(command: MergeActions, duplicateState: ActionState, survivorState: ActionState): MergeDecision {
  const parsed = actionCommandDataSchemas.MergeActions.safeParse(command.data);
  if (!parsed.success) throw invalid(fieldErrorsFrom(parsed.error));
  const { actionId, into, reason } = parsed.data;
  if (into === actionId) {
    throw new DomainError('ACTION.SELF_MERGE', `action ${actionId} cannot be merged into itself`, {
      details: { actionId, into },
      errors: [{ path: 'into', message: 'must name another action' }],
    });
  }
  const duplicate = mergeable(existing(duplicateState, actionId));
  if (!survivorState) {
    throw new DomainError('ACTION.UNKNOWN', `no action ${into} to merge into`, {
      details: { missingActions: [into] },
      errors: [{ path: 'into', message: `action ${into} does not exist` }],
    });
  }
  const survivor = mergeable(survivorState);
  if (duplicate.kind !== survivor.kind) {
    throw new DomainError('ACTION.MERGE_KIND_MISMATCH', `action ${duplicate.id} is a ${duplicate.kind}, ${survivor.id} a ${survivor.kind}`, {
      details: { actionId: duplicate.id, kind: duplicate.kind, into: survivor.id, intoKind: survivor.kind },
    });
  }

  const sources = duplicate.sources.reduce<Source[]>(
    (gained, s) => ([...survivor.sources, ...gained].some((t) => sameSource(t, s)) ? gained : [...gained, s]),
    [],
  );
  const sameCitation = (a: Citation, b: Citation) => a.kind === b.kind && a.text === b.text;
  const citations = duplicate.citations.reduce<Citation[]>(
    (gained, c) => ([...survivor.citations, ...gained].some((t) => sameCitation(t, c)) ? gained : [...gained, c]),
    [],
  );
  const relations = duplicate.relations.filter(
    (r) => r.targetId !== survivor.id && !survivor.relations.some((t) => t.relation === r.relation && t.targetId === r.targetId),
  );
  const over = (what: 'sources' | 'citations', count: number) =>
    count > ACTION_LIMITS[what] ? [{ path: 'into', message: `${survivor.id} would have ${count} ${what}; an action has at most ${ACTION_LIMITS[what]}` }] : [];
  const tooMany = [...over('sources', survivor.sources.length + sources.length), ...over('citations', survivor.citations.length + citations.length)];
  if (tooMany.length) throw invalid(tooMany);

  return {
    duplicate: [{ type: 'ActionMerged', data: { actionId: duplicate.id, into: survivor.id, reason } }],
    // Written even when it brings nothing new: the survivor's history then says what was merged into it.
    survivor: [{ type: 'DuplicateAbsorbed', data: { actionId: survivor.id, duplicateId: duplicate.id, sources, citations, relations } }],
  };
}

/** A closed action neither merges nor absorbs: its sources would move out of, or into, something nobody reads. */
function mergeable(action: PolicyAction): PolicyAction {
  if (isClosed(action)) {
    throw new DomainError('ACTION.NOT_MERGEABLE', `action ${action.id} is ${action.status} and cannot take part in a merge`, {
      details: { actionId: action.id, status: action.status, ...(action.mergedInto ? { mergedInto: action.mergedInto } : {}) },
    });
  }
  return action;
}

// --- rules shared by several commands -------------------------------------------------------

type Parsed<T extends ActionCommand['type']> = z.output<(typeof actionCommandDataSchemas)[T]>;

function parse<C extends ActionCommand>(command: C): Parsed<C['type']> {
  const result = actionCommandDataSchemas[command.type].safeParse(command.data);
  if (!result.success) throw invalid(fieldErrorsFrom(result.error));
  return result.data as Parsed<C['type']>;
}

function invalid(errors: FieldError[]): DomainError {
  return new DomainError('ACTION.INVALID', 'the action command is invalid', { errors });
}

function existing(state: ActionState, actionId: string): PolicyAction {
  if (!state) throw new DomainError('ACTION.UNKNOWN', `no action ${actionId}`, { details: { actionId } });
  return state;
}

function isClosed(action: PolicyAction): boolean {
  return action.status === 'rejected' || action.status === 'retracted' || action.status === 'merged';
}

/** Rejected, retracted and merged actions are closed: no corrections, links or sources. */
function correctable(action: PolicyAction): PolicyAction {
  if (isClosed(action)) {
    throw new DomainError('ACTION.NOT_CORRECTABLE', `action ${action.id} is ${action.status} and can no longer change`, {
      details: { actionId: action.id, status: action.status },
    });
  }
  return action;
}

// The strict schema would reject these too, but with a bare "unrecognized key"; say what to do.
const LIFECYCLE_KEYS: Record<string, string> = {
  id: 'an action id never changes',
  status: 'status is changed by publishing, rejecting or retracting, not by a correction',
  relations: 'relations are added with LinkAction',
};

function rejectLifecycleKeys(changes: unknown): void {
  if (typeof changes !== 'object' || changes === null) return;
  const errors = Object.keys(changes)
    .filter((key) => key in LIFECYCLE_KEYS)
    .map((key) => ({ path: `changes.${key}`, message: LIFECYCLE_KEYS[key] }));
  if (errors.length) throw invalid(errors);
}

/** `path`: where the target is named in the command, for the error. */
function checkLink(actionId: string, existingRelations: readonly Relation[], relation: Relation, path: string): void {
  if (relation.targetId === actionId) {
    throw new DomainError('ACTION.SELF_LINK', `action ${actionId} cannot be linked to itself`, {
      details: { actionId, ...relation },
      errors: [{ path, message: 'must name another action' }],
    });
  }
  if (existingRelations.some((r) => r.relation === relation.relation && r.targetId === relation.targetId)) {
    throw new DomainError('ACTION.DUPLICATE_LINK', `action ${actionId} already ${relation.relation} ${relation.targetId}`, {
      details: { actionId, ...relation },
    });
  }
}

function requireKnown(command: ActionCommand, context: ActionDecideContext): void {
  const refs = referencesOf(command);
  const missing = (to: ReferenceAt['to'], ids: readonly string[]) => refs.filter((r) => r.to === to && ids.includes(r.id));
  const jurisdictions = missing('jurisdiction', context.missingJurisdictions);
  if (jurisdictions.length) {
    const ids = [...new Set(jurisdictions.map((r) => r.id))];
    throw new DomainError('JURISDICTION.UNKNOWN', `unknown jurisdiction(s): ${ids.join(', ')}`, {
      errors: jurisdictions.map((r) => ({ path: r.path, message: `jurisdiction ${r.id} is not registered` })),
      details: { missingJurisdictions: ids },
    });
  }
  const actions = missing('action', context.missingActions);
  if (actions.length) {
    const ids = [...new Set(actions.map((r) => r.id))];
    throw new DomainError('ACTION.UNKNOWN', `unknown related action(s): ${ids.join(', ')}`, {
      errors: actions.map((r) => ({ path: r.path, message: `action ${r.id} does not exist` })),
      details: { missingActions: ids },
    });
  }
}

function sameSource(a: Source, b: Source): boolean {
  if (a.url === b.url) return true;
  return !!a.sourceSystem && a.sourceSystem === b.sourceSystem && !!a.externalId && a.externalId === b.externalId;
}

/** Only the fields whose new value differs (deeply) from the current one. */
function changedFields(action: PolicyAction, changes: ActionChanges): ActionChanges {
  return Object.fromEntries(
    Object.entries(changes).filter(([key, value]) => value !== undefined && !deepEqual(action[key as keyof PolicyAction], value)),
  ) as ActionChanges;
}

/** Fields are valid one by one; re-check the whole in case a rule spans fields. */
function checkMerged(action: PolicyAction, changes: ActionChanges): void {
  const merged = actionContentSchema.safeParse(contentOf({ ...action, ...changes }));
  if (!merged.success) throw invalid(fieldErrorsFrom(merged.error, 'changes'));
}

function contentOf(action: PolicyAction): Record<string, unknown> {
  const {
    id: _id, status: _status, relations: _relations, proposal: _proposal, statusReason: _reason, mergedInto: _into, suggestion: _suggestion,
    ...content
  } = action;
  return content;
}

/** Structural equality of JSON values; a missing key equals an undefined one. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
