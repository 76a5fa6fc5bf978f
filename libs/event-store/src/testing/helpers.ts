import { randomBytes } from 'node:crypto';
import type { EventStore } from '../event-store';
import type { StoredEvent } from '../types';

/** A stream id no other test (in this file or any other) uses. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * Polls until `check` returns something other than undefined/false, or fails with the last
 * value seen. Commit-order readers only see a committed event once every older transaction
 * *in the cluster* has ended (gap safety), and other test files share the server, so a
 * freshly committed event may take a moment to become readable.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 5000, intervalMs = 15, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A readAll subscriber: follows the log from `after`, page by page, until `done` holds for
 * everything it has received; returns what it received (duplicates included, so that a
 * test can see them) and where it got to.
 */
export async function follow(
  store: EventStore,
  after: string | undefined,
  done: (received: StoredEvent[]) => boolean,
  options: { limit?: number; timeoutMs?: number } = {},
): Promise<{ events: StoredEvent[]; checkpoint: string | undefined }> {
  const received: StoredEvent[] = [];
  let checkpoint = after;
  await eventually(
    async () => {
      for (;;) {
        const page = await store.readAll({ after: checkpoint, limit: options.limit ?? 1000 });
        received.push(...page.events);
        checkpoint = page.checkpoint;
        if (page.caughtUp) break;
      }
      return done(received);
    },
    { timeoutMs: options.timeoutMs ?? 5000, what: 'readAll to deliver the expected events' },
  );
  return { events: received, checkpoint };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
