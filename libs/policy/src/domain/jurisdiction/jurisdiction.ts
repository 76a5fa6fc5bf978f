import type { JurisdictionLevel } from '../ocd-id';
import type { JurisdictionEvent } from './jurisdiction.events';

export interface Jurisdiction {
  id: string;
  name: string;
  level: JurisdictionLevel;
  parentId: string | null;
}

/** null = nothing registered under this id yet. */
export type JurisdictionState = Jurisdiction | null;

export const initialJurisdictionState: JurisdictionState = null;

export function evolveJurisdiction(state: JurisdictionState, event: JurisdictionEvent): JurisdictionState {
  switch (event.type) {
    case 'JurisdictionRegistered':
      return { ...event.data };
  }
}

export function foldJurisdiction(events: readonly JurisdictionEvent[]): JurisdictionState {
  return events.reduce(evolveJurisdiction, initialJurisdictionState);
}
