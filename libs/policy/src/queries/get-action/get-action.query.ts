import type { PolicyAction } from '../../domain';

/** An action as it stands now, with the links other actions make to it. */
export class GetActionQuery {
  constructor(readonly actionId: string) {}
}

export interface ActionDetail extends PolicyAction {
  version: number;
  recordedAt: string;
  updatedAt: string;
  /** Links from other actions to this one. */
  incoming: { relation: string; sourceId: string }[];
}
