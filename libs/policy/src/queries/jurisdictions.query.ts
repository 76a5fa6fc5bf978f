import type { JurisdictionLevel } from '../domain';

export class ListJurisdictionsQuery {
  constructor(readonly filters: { q?: string; level?: JurisdictionLevel; cursor?: string; limit?: number } = {}) {}
}

export class GetJurisdictionQuery {
  constructor(readonly id: string) {}
}
