import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { z } from 'zod';
import { serializeEvent, type EventStore, type StreamAppend } from '@app/event-store';

/**
 * Writes every event as NDJSON in commit order, one `serializeEvent` a line (positions are
 * informative only), streaming: one page of the log in memory at a time, and waiting for the
 * output to drain. The store should have no upcasters, so the
 * events go out as stored and an import restores them byte for byte.
 *
 * The store's reads are gap-safe: they stop short of any transaction still running, on any
 * database of the server. So the export does not end at the first short page: it ends once
 * every transaction that had begun when it started is over, and so holds every event
 * committed by then (and possibly some later ones).
 */
export async function exportEvents(
  store: EventStore,
  out: Writable,
  options: {
    pageSize?: number;
    onProgress?: (exported: number, total: number) => void;
    /** Called once if older transactions keep the export waiting for a while. */
    onWaiting?: () => void;
  } = {},
): Promise<number> {
  // Taking a transaction id marks the start: every transaction begun before has a smaller one.
  // (The snapshot's xmax would not do: it is the latest *completed* id + 1, below ids still running.)
  const { rows } = await sql<{ total: number; xid: string }>`
    SELECT count(*)::int AS total, pg_current_xact_id()::text AS xid FROM events`.execute(store.db);
  const total = rows[0].total;
  const startXid = BigInt(rows[0].xid);
  const horizon = async () => {
    const { rows } = await sql<{ xmin: string }>`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`.execute(store.db);
    return BigInt(rows[0].xmin);
  };
  let exported = 0;
  let waitingSince: number | undefined;
  let warned = false;

  async function* lines() {
    let after: string | undefined;
    for (;;) {
      // Read the horizon before the page: if it had passed the start then, the page saw it too.
      const settled = (await horizon()) > startXid;
      const page = await store.readAll({ after, limit: options.pageSize ?? 1000 });
      if (page.events.length) yield page.events.map((e) => `${JSON.stringify(serializeEvent(e))}\n`).join('');
      exported += page.events.length;
      options.onProgress?.(exported, Math.max(total, exported));
      after = page.checkpoint;
      if (!page.caughtUp) continue;
      if (settled) return;
      waitingSince ??= Date.now();
      if (!warned && Date.now() - waitingSince > 5000) {
        warned = true;
        options.onWaiting?.();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  // pipeline handles backpressure and errors (EPIPE when piped into `head`), and leaves
  // process.stdout open.
  await pipeline(lines, out);
  return exported;
}


const lineSchema = z.object({
  streamId: z.string().min(1),
  streamVersion: z.number().int().positive(),
  type: z.string().min(1),
  schemaVersion: z.number().int().positive().default(1),
  data: z.unknown().refine((d) => d !== undefined, 'is required'),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
type ImportLine = z.infer<typeof lineSchema> & { line: number };

export interface ImportProgress {
  lines: number;
  bytes: number;
  imported: number;
  skipped: number;
}

export class ImportError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'ImportError';
  }
}

/**
 * Appends the events of an export, keeping their stream ids and versions: each stream is
 * appended with the version before its first new event as the expectation, so a stream
 * that moved on in between fails instead of forking. Events whose stream version already
 * exists are skipped, which makes a re-run (or a resumed run) append nothing twice.
 * Transaction time is not carried over: the store stamps recorded_at at append.
 */
export async function importEvents(
  store: EventStore,
  input: Readable,
  options: { batchSize?: number; onProgress?: (progress: ImportProgress) => void } = {},
): Promise<ImportProgress> {
  const batchSize = options.batchSize ?? 1000;
  const progress: ImportProgress = { lines: 0, bytes: 0, imported: 0, skipped: 0 };
  let chunk: ImportLine[] = [];

  const flush = async () => {
    if (chunk.length === 0) return;
    const versions = await store.streamVersions([...new Set(chunk.map((e) => e.streamId))]);
    const fresh: ImportLine[] = [];
    for (const e of chunk) {
      const current = versions.get(e.streamId) ?? 0;
      if (e.streamVersion <= current) {
        progress.skipped++;
        continue;
      }
      if (e.streamVersion !== current + 1) {
        throw new ImportError(e.line, `${e.streamId} is at version ${current}; the file jumps to ${e.streamVersion}`);
      }
      versions.set(e.streamId, e.streamVersion);
      fresh.push(e);
    }
    for (const appends of commitOrderGroups(fresh)) {
      await store.appendMany(appends);
      progress.imported += appends.reduce((n, a) => n + a.events.length, 0);
    }
    chunk = [];
    options.onProgress?.({ ...progress });
  };

  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    progress.lines++;
    progress.bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ImportError(progress.lines, 'not JSON');
    }
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ImportError(progress.lines, `${issue.path.join('.') || 'event'}: ${issue.message}`);
    }
    chunk.push({ ...parsed.data, line: progress.lines });
    if (chunk.length >= batchSize) await flush();
  }
  await flush();
  return progress;
}

/**
 * Splits events into appendMany calls that keep their order. One call holds each stream
 * once, its events together; a stream that comes back after another stream's event starts
 * a new call, so no event overtakes one that preceded it in the file (projections see the
 * same order as on the source).
 */
function commitOrderGroups(events: readonly ImportLine[]): StreamAppend[][] {
  const groups: StreamAppend[][] = [];
  let group: StreamAppend[] = [];
  let inGroup = new Set<string>();
  for (const e of events) {
    const last = group.at(-1);
    const event = { type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata };
    if (last?.streamId === e.streamId) {
      last.events.push(event);
      continue;
    }
    if (inGroup.has(e.streamId)) {
      groups.push(group);
      group = [];
      inGroup = new Set();
    }
    group.push({ streamId: e.streamId, events: [event], expectedVersion: e.streamVersion - 1 });
    inGroup.add(e.streamId);
  }
  if (group.length) groups.push(group);
  return groups;
}
