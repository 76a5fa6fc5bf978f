import { EventEmitter } from 'node:events';
import { sql, type Kysely, type Transaction } from 'kysely';
import { isDatabaseUnavailable, PREPARE } from '@app/db/connection';
import { compareCommitPoints, START, type CommitPoint } from './checkpoint';
import { PROJECTION_LOCK_CLASS, type EventStore } from './event-store';
import {
  ProjectionFailedError,
  ProjectionWaitTimeoutError,
  UnknownProjectionError,
} from './event-store.errors';
import { AppendListener } from './notifications';
import { readsOf, saveCheckpoint, typesOf, type Projection, type ProjectionError, type ProjectionStatus } from './projection';
import type { EventStoreTables, StoredEvent } from './types';

export interface ProjectionRunnerOptions {
  batchSize?: number;
  /** Polling fallback when no notification arrives (ms). */
  pollMs?: number;
  /** Connection for LISTEN; without it the runner wakes on local appends and polling only. */
  listenConnectionString?: string;
  onError?: (projection: string, error: ProjectionError) => void;
}

/**
 * `heldBack`: caught up, yet committed events wait behind the gap-safe horizon (an older
 * transaction is still open). Their wake-up has already been spent, and the transaction
 * that releases them may not be an append (it sends none), so look again soon.
 */
type BatchOutcome = { applied: number; caughtUp: boolean; heldBack?: boolean; next?: CommitPoint } | 'locked' | 'failed';

const HELD_BACK_RETRY_MS = 50;
/**
 * Under a stream of appends every wake-up would be a batch (six statements) for one write's
 * events. While nobody in this process waits on a projection, a busy runner (woken again
 * while it ran a batch) lets wake-ups gather this long before its next batch; a waiter here
 * ends the pause at once, one in another process sees it at most this much later.
 */
const GATHER_MS = 10;

/**
 * Runs asynchronous projections from their checkpoints. Each batch runs in one transaction
 * holding the projection's advisory lock, so any number of processes may run the same
 * projections: one of them applies a given batch, the others skip it.
 */
export class ProjectionRunner {
  private readonly projections = new Map<string, Projection>();
  private readonly failed = new Set<string>();
  /** Where this process's runs of each projection have got to (saves waiters a query). */
  private readonly reached = new Map<string, CommitPoint>();
  private readonly progress = new EventEmitter();
  private readonly wake = new EventEmitter();
  private readonly batchSize: number;
  private readonly pollMs: number;
  private listener?: AppendListener;
  private unsubscribe?: () => void;
  private loops: Promise<void>[] = [];
  private running = false;
  /** Counts wake-ups, so that one arriving while a loop is mid-batch is not lost. */
  private wakes = 0;

  constructor(
    private readonly store: EventStore,
    projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    for (const p of projections) this.projections.set(p.name, p);
    this.batchSize = options.batchSize ?? 2000;
    this.pollMs = options.pollMs ?? 500;
    this.progress.setMaxListeners(0);
    this.wake.setMaxListeners(0);
  }

  private get db(): Kysely<EventStoreTables> {
    return this.store.db;
  }

  get names(): string[] {
    return [...this.projections.keys()];
  }

  /** Creates missing checkpoint rows; safe to call from every process. */
  async ensureCheckpoints(): Promise<void> {
    if (this.projections.size === 0) return;
    await this.db
      .insertInto('projection_checkpoints')
      .values(this.names.map((name) => ({ name })))
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }

  /** Starts one loop per projection; returns once they are running. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.ensureCheckpoints();
    this.unsubscribe = this.store.onAppended(() => this.wakeUp());
    if (this.options.listenConnectionString) {
      this.listener = new AppendListener(this.options.listenConnectionString, this.store.notificationSender);
      this.listener.on('wake', () => this.wakeUp());
      await this.listener.start();
    }
    this.loops = this.names.map((name) => this.loop(name));
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeUp();
    this.wake.emit('hurry');
    this.unsubscribe?.();
    await this.listener?.stop();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private wakeUp(): void {
    this.wakes++;
    this.wake.emit('wake');
  }

  private async loop(name: string): Promise<void> {
    while (this.running && !this.failed.has(name)) {
      const seen = this.wakes;
      let outcome: BatchOutcome;
      try {
        outcome = await this.runBatch(name);
      } catch {
        // The database went away or the lock query failed: not the handler's fault; retry.
        outcome = 'locked';
      }
      if (outcome === 'failed') break;
      if (outcome === 'locked') await this.sleepUntilWoken(seen, this.pollMs);
      else if (outcome.caughtUp) {
        const { gatherMs } = this.get(name);
        if (gatherMs && outcome.applied > 0) await this.gather(gatherMs);
        // Busy: appends arrived while this batch ran, and more are likely on their way.
        const busy = outcome.applied > 0 && this.wakes !== seen;
        await this.sleepUntilWoken(seen, outcome.heldBack ? HELD_BACK_RETRY_MS : this.pollMs);
        if (busy && !gatherMs) await this.gather(GATHER_MS);
      }
    }
  }

  /** The pause of a busy runner, unless someone is waiting for its progress. */
  private gather(ms: number): Promise<void> {
    if (!this.running || this.progress.listenerCount('progress') > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.off('hurry', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.once('hurry', done);
    });
  }

  /** Sleeps up to `ms`, or not at all if a wake-up came since `seen` (e.g. during the batch). */
  private sleepUntilWoken(seen: number, ms: number): Promise<void> {
    if (this.wakes !== seen) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.off('wake', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.once('wake', done);
    });
  }

  /** Applies everything available now to one projection; returns the number of events applied. */
  async catchUp(name: string): Promise<number> {
    let total = 0;
    for (;;) {
      const outcome = await this.runBatch(name);
      if (outcome === 'failed') throw new ProjectionFailedError(name, await this.lastError(name));
      if (outcome === 'locked') {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      total += outcome.applied;
      if (outcome.caughtUp) return total;
    }
  }

  /** One batch in one transaction: lock, read after the checkpoint, apply, move the checkpoint. */
  async runBatch(name: string): Promise<BatchOutcome> {
    const projection = this.get(name);
    if (this.failed.has(name)) return 'failed';
    try {
      const outcome = await this.db.transaction().execute(async (trx) => {
        const from = await this.lockAndReadCheckpoint(trx, name);
        if (!from) return 'locked' as const;
        const { events, next, caughtUp, heldBack } = await this.store.readAfter(trx, from, {
          limit: projection.batchSize ?? this.batchSize,
          types: typesOf(projection),
          ...readsOf(projection),
          watchHorizon: true,
        });
        if (events.length) await projection.handle(trx, events);
        if (compareCommitPoints(next, from) !== 0) await saveCheckpoint(trx, name, next, { eventsApplied: events.length, mode: 'add' });
        return { applied: events.length, caughtUp, heldBack, next };
      });
      if (outcome === 'locked') return outcome;
      this.reached.set(name, outcome.next);
      this.progress.emit('progress');
      return outcome;
    } catch (err) {
      if (!isHandlerError(err)) throw err;
      // Find the exact event that fails, applying the ones before it, then stop here.
      return this.isolateFailure(projection);
    }
  }

  /** Takes the projection's lock for this transaction, then reads its checkpoint under it. */
  private async lockAndReadCheckpoint(trx: Transaction<EventStoreTables>, name: string): Promise<CommitPoint | null> {
    const { rows } = await sql<{ locked: boolean }>`${sql.raw(PREPARE)}
      SELECT pg_try_advisory_xact_lock(${PROJECTION_LOCK_CLASS}, hashtext(${name})) AS locked`.execute(trx);
    if (!rows[0].locked) return null;
    const row = await trx
      .selectFrom('projection_checkpoints')
      .modifyFront(sql.raw(PREPARE))
      .select([sql<string>`transaction_id::text`.as('transaction_id'), 'position'])
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? { transactionId: row.transaction_id, position: row.position } : START;
  }

  private async isolateFailure(projection: Projection): Promise<BatchOutcome> {
    let applied = 0;
    for (;;) {
      let failedOn: StoredEvent | undefined;
      let failure: unknown;
      const outcome = await this.db.transaction().execute(async (trx) => {
        const from = await this.lockAndReadCheckpoint(trx, projection.name);
        if (!from) return 'locked' as const;
        // Read as stored and upcast under the savepoint: a failing upcaster is blamed on its event too.
        const { events, next } = await this.store.readAfter(trx, from, { limit: 1, types: typesOf(projection), upcast: false, ...readsOf(projection) });
        if (events.length === 0) {
          if (compareCommitPoints(next, from) !== 0) await saveCheckpoint(trx, projection.name, next, { eventsApplied: 0, mode: 'add' });
          return 'done' as const;
        }
        try {
          await sql`SAVEPOINT apply_one`.execute(trx);
          await projection.handle(trx, projection.reads === 'leaves' ? events : events.map((e) => this.store.upcast(e)));
        } catch (err) {
          await sql`ROLLBACK TO SAVEPOINT apply_one`.execute(trx);
          failedOn = events[0];
          failure = err;
          return 'failed' as const;
        }
        await saveCheckpoint(trx, projection.name, next, { eventsApplied: 1, mode: 'add' });
        return 'applied' as const;
      });
      if (outcome === 'locked') return 'locked';
      if (outcome === 'done') return { applied, caughtUp: true };
      if (outcome === 'applied') {
        // Past a batch's worth without failing again (it was transient): back to batches.
        if (++applied >= this.batchSize) return { applied, caughtUp: false };
        continue;
      }
      const error: ProjectionError = {
        message: failure instanceof Error ? failure.message : String(failure),
        eventPosition: failedOn!.position,
        eventType: failedOn!.type,
        streamId: failedOn!.streamId,
        at: new Date().toISOString(),
      };
      await this.db
        .updateTable('projection_checkpoints')
        .set({ last_error: JSON.stringify(error), updated_at: new Date() })
        .where('name', '=', projection.name)
        .execute();
      this.failed.add(projection.name);
      this.progress.emit('progress');
      this.options.onError?.(projection.name, error);
      return 'failed';
    }
  }

  /** Clears a failed projection's error and runs it again (after the handler was fixed). */
  async resume(name: string): Promise<void> {
    this.get(name);
    // Only a failed projection's loop has ended; restarting a live one would run it twice.
    const wasFailed = this.failed.delete(name);
    await this.db.updateTable('projection_checkpoints').set({ last_error: null }).where('name', '=', name).execute();
    if (this.running && wasFailed) this.loops.push(this.loop(name));
  }

  private get(name: string): Projection {
    const projection = this.projections.get(name);
    if (!projection) throw new UnknownProjectionError(name);
    return projection;
  }

  private async lastError(name: string): Promise<unknown> {
    const row = await this.db
      .selectFrom('projection_checkpoints')
      .select('last_error')
      .where('name', '=', name)
      .executeTakeFirst();
    return row?.last_error ?? null;
  }

  /** Position, lag and last error of every projection this runner knows. */
  async status(): Promise<ProjectionStatus[]> {
    const head = await this.store.headPosition();
    const rows = await this.db
      .selectFrom('projection_checkpoints')
      .selectAll()
      .where('name', 'in', this.names.length ? this.names : [''])
      .execute();
    return Promise.all(
      rows.map(async (r) => {
        // Caught up is a commit-order question (an event of an older transaction can sit below
        // the checkpoint's position); the position difference is only how far, when behind.
        const behind = await this.store.hasEventsAfter(this.db, { transactionId: r.transaction_id, position: r.position });
        return {
          name: r.name,
          state: r.last_error ? 'failed' : !this.running ? 'stopped' : behind ? 'running' : 'idle',
          position: r.position,
          eventsApplied: r.events_applied,
          lag: behind ? Math.max(1, head - r.position) : 0,
          updatedAt: r.updated_at,
          lastError: (r.last_error as ProjectionError | null) ?? null,
        };
      }),
    );
  }

  /**
   * Resolves once every named projection (default: all) has applied the event at `position`
   * (or moved past it); rejects on timeout or if one of them is stopped on an error.
   */
  async waitForPosition(position: number, timeoutMs = 5000, names: readonly string[] = this.names): Promise<void> {
    if (names.length === 0 || position <= 0) return;
    const target = await this.db
      .selectFrom('events')
      .select(sql<string>`transaction_id::text`.as('transaction_id'))
      .where('position', '=', position)
      .executeTakeFirst();
    if (!target) throw new RangeError(`no event at position ${position}`);
    return this.waitFor({ transactionId: target.transaction_id, position }, timeoutMs, names);
  }

  /**
   * waitForPosition for a caller that knows the event's transaction (an appender does): no
   * lookup, and when this process runs the projections, no query at all.
   */
  async waitFor(event: CommitPoint, timeoutMs = 5000, names: readonly string[] = this.names): Promise<void> {
    if (names.length === 0) return;
    const { transactionId, position } = event;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const local = names.every((n) => {
        const point = this.reached.get(n);
        return point !== undefined && compareCommitPoints(point, event) >= 0;
      });
      if (local) return;
      const { rows } = await sql<{ name: string; reached: boolean; last_error: unknown }>`
        SELECT name, (transaction_id, "position") >= (${transactionId}::xid8, ${position}::bigint) AS reached,
               last_error
          FROM projection_checkpoints WHERE name = ANY(${names as string[]}::text[])`.execute(this.db);
      // A projection stopped on a later event has still applied this one.
      const broken = rows.find((r) => r.last_error && !r.reached);
      if (broken) throw new ProjectionFailedError(broken.name, broken.last_error);
      const behind = names.filter((n) => !rows.some((r) => r.name === n && r.reached));
      if (behind.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new ProjectionWaitTimeoutError(position, timeoutMs, behind);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.progress.off('progress', done);
          resolve();
        };
        // Local runners announce progress; a runner in another process is seen by polling.
        const timer = setTimeout(done, Math.min(left, 25));
        this.progress.once('progress', done);
        this.wake.emit('hurry');
      });
    }
  }
}

const TRANSIENT_CODES = new Set(['40P01', '40001', '57014', '55P03']);

/** Errors from the handler, as opposed to the database connection being lost. */
function isHandlerError(err: unknown): boolean {
  // A lost or refused connection and transient conflicts (deadlock, serialization, statement
  // or lock timeout) are retried by the loop, not blamed on an event.
  return !isDatabaseUnavailable(err) && !TRANSIENT_CODES.has((err as { code?: string })?.code ?? '');
}
