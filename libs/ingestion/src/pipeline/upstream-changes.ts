import { canonicalJson } from '@app/event-store';
import type { ActionChangesInput } from '@app/policy/domain';
import type { ProposalData } from '../sources/source';

type Content = ProposalData['content'];

/**
 * What changed upstream between the content a source gave last time and now, field by field,
 * as a correction's changes: only those fields, so a curator's edit to another field stands.
 * Sources are left out: the proposal keeps the source entry it was first proposed with (its
 * retrieval time is no news), and a curator's attached sources must not be replaced.
 */
export function upstreamChanges(before: Record<string, unknown>, after: Content): ActionChangesInput {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (key === 'sources' || value === undefined) continue;
    if (canonicalJson(before[key]) !== canonicalJson(value)) changes[key] = value;
  }
  return changes as ActionChangesInput;
}
