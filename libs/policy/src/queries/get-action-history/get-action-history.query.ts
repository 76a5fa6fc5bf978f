/** Every event of an action's stream, oldest first: what changed, who did it and why. */
export class GetActionHistoryQuery {
  constructor(readonly actionId: string) {}
}

export interface ActionHistoryEntry {
  version: number;
  position: number;
  type: string;
  recordedAt: string;
  data: unknown;
  metadata: { actor?: string; correlationId?: string; causationId?: string };
}

export interface ActionHistory {
  actionId: string;
  events: ActionHistoryEntry[];
}
