import { ACTION_LIMITS, parseOcdId, type RegisterJurisdiction } from '@app/policy/domain';
import type { NormalisedItem } from '../sources/source';
import { matchPlaces } from './match-places';
import { ocdRegistrations, type PlaceDirectory } from './place-directory';

/**
 * The item with the places its title and summary name: matched ones join its affected
 * jurisdictions, and each match, ambiguous name and unmatched place-shaped phrase is kept on the
 * proposal as evidence for the curator. The hash stays the adapter's: whether an item changed
 * upstream is a question about the source, not about the directory it is matched against.
 */
export function withPlaces(item: NormalisedItem, directory: PlaceDirectory): NormalisedItem {
  const { content } = item.proposal;
  const found = matchPlaces(`${content.title}\n${content.summary}`, directory);
  if (found.matched.length + found.ambiguous.length + found.unmatched.length === 0) return item;
  const affected = [...new Set([...content.affectedJurisdictionIds, ...found.matched.map((m) => m.id)])];
  const proposal = {
    ...item.proposal,
    content: { ...content, affectedJurisdictionIds: affected.slice(0, ACTION_LIMITS.affectedJurisdictions) },
    proposal: {
      ...item.proposal.proposal,
      places: {
        matched: found.matched.slice(0, ACTION_LIMITS.affectedJurisdictions).map((m) => ({ jurisdictionId: m.id, evidence: m.evidence })),
        ambiguous: found.ambiguous.slice(0, 50).map((a) => ({ evidence: a.evidence, candidates: a.candidates.slice(0, 20) })),
        unmatched: found.unmatched.slice(0, 50).map((u) => ({ evidence: u.evidence })),
      },
    },
  };
  return { ...item, proposal };
}

let byId: Map<string, RegisterJurisdiction> | undefined;

/**
 * The registrations that make these ids known, ancestors first, from the shipped OCD directory:
 * a ledger seeded with the whole directory has them all, a smaller one (a test's) gets what an
 * ingested item names. Ids the directory does not hold are left out (the ledger will refuse them).
 */
export function registrationsFor(ids: Iterable<string>): RegisterJurisdiction[] {
  byId ??= new Map(ocdRegistrations().map((c) => [c.data.id, c]));
  const chain = new Map<string, RegisterJurisdiction>();
  for (const id of ids) {
    const segments = parseOcdId(id) ?? [];
    // Each prefix of the id is an ancestor: country, state, county.
    for (let depth = 1; depth <= segments.length; depth++) {
      const ancestor = ['ocd-division', ...segments.slice(0, depth).map((s) => `${s.type}:${s.id}`)].join('/');
      const registration = byId.get(ancestor);
      if (registration) chain.set(ancestor, registration);
    }
  }
  return [...chain.values()];
}
