import type { StoredEvent } from './types';

/** Lifts one event type's data from `fromVersion` to `fromVersion + 1`. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(data: any, event: StoredEvent): any;
}

/** Applies upcasters on read, step by step, so stored events never need rewriting. */
export class UpcasterChain {
  private readonly byType = new Map<string, Map<number, Upcaster>>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const u of upcasters) {
      const steps = this.byType.get(u.type) ?? new Map<number, Upcaster>();
      if (steps.has(u.fromVersion)) {
        throw new Error(`two upcasters for ${u.type} v${u.fromVersion}`);
      }
      steps.set(u.fromVersion, u);
      this.byType.set(u.type, steps);
    }
  }

  apply(event: StoredEvent): StoredEvent {
    const steps = this.byType.get(event.type);
    if (!steps) return event;
    let current = event;
    for (let step = steps.get(current.schemaVersion); step; step = steps.get(current.schemaVersion)) {
      current = { ...current, data: step.upcast(current.data, current), schemaVersion: current.schemaVersion + 1 };
    }
    return current;
  }
}
