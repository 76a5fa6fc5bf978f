import type { JurisdictionLevel } from '../../domain';

/** The jurisdiction directory: by part of the name and level, a page after a cursor. */
export class SearchJurisdictionsQuery {
  constructor(readonly filters: { q?: string; level?: JurisdictionLevel; cursor?: string; limit?: number } = {}) {}
}

export interface JurisdictionSummary {
  id: string;
  name: string;
  level: string;
  parentId: string | null;
}

export interface JurisdictionsPage {
  items: JurisdictionSummary[];
  nextCursor: string | null;
}

export const DIRECTORY_MAX_LIMIT = 500;
