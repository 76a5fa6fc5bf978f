import type { JurisdictionSummary } from '../search-jurisdictions/search-jurisdictions.query';

/** One directory entry: its place in the tree and what its own timeline holds. */
export class GetJurisdictionQuery {
  constructor(readonly id: string) {}
}

export interface JurisdictionDetail extends JurisdictionSummary {
  ancestors: string[];
  registeredAt: string;
  childCount: number;
  /** Published actions directly on this timeline, by acting level and by kind. */
  counts: { byLevel: Record<string, number>; byKind: Record<string, number>; total: number };
  latestAction: { actionId: string; title: string; kind: string; occurredOn: string } | null;
}
