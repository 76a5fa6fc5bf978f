import type { JurisdictionLevel } from '../ocd-id';

export interface JurisdictionRegistered {
  type: 'JurisdictionRegistered';
  data: {
    id: string;
    name: string;
    level: JurisdictionLevel;
    /** The path parent unless registered with an explicit one; null only for a country. */
    parentId: string | null;
  };
}

export type JurisdictionEvent = JurisdictionRegistered;
export type JurisdictionEventType = JurisdictionEvent['type'];
