import { sql, type QueryExecutorProvider } from 'kysely';
import { PREPARE } from '@app/db/connection';

/**
 * The ledger's head: how many events a reader starting now can see. Answers computed from the
 * read models are valid for as long as it does not change, so it keys the API's read cache
 * and its ETags.
 *
 * Why a count, not the highest position: a position is taken before commit, so a transaction
 * holding position 10 may commit after the one holding 11, and the highest visible position
 * would not change when it does. The count of visible events changes with every commit that
 * appends (the log only grows), and it is the same number in every process reading the same
 * database, so two API replicas agree on the head and on their ETags.
 *
 * Counting a million events on every read would cost more than the read. Events of
 * transactions older than the snapshot's xmin are final (every such transaction has ended and
 * new ones get higher ids), so their count is kept here and only the events from `settled` on
 * are counted: a range of the commit-order index that holds only the last moments' appends.
 *
 * Reads are fenced: `read()` answers with a head taken after it was called, so a write that
 * answered before a read began (in this process or another) is always counted. Concurrent
 * callers share one query: a caller arriving while one is in flight waits for the next one.
 */
export class LedgerHead {
  /** Every transaction below this id has ended; `settledCount` events of theirs are visible. */
  private settled = '0';
  private settledCount = 0;
  private inFlight: Promise<number> | null = null;
  private queued: Promise<number> | null = null;

  constructor(private readonly db: QueryExecutorProvider) {}

  read(): Promise<number> {
    if (!this.inFlight) return this.start();
    // The query in flight may have taken its snapshot before this caller arrived.
    this.queued ??= this.inFlight.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  private startQueued(): Promise<number> {
    this.queued = null;
    return this.start();
  }

  private start(): Promise<number> {
    const query = this.query().finally(() => {
      if (this.inFlight === query) this.inFlight = null;
    });
    this.inFlight = query;
    return query;
  }

  private async query(): Promise<number> {
    const from = this.settled;
    const below = this.settledCount;
    // One statement, one snapshot: the counts and xmin agree. GREATEST keeps the settled mark
    // from moving back.
    const { rows } = await sql<{ xmin: string; newly_settled: string; recent: string }>`${sql.raw(PREPARE)}
      WITH s AS (SELECT GREATEST(pg_snapshot_xmin(pg_current_snapshot()), ${from}::xid8) AS xmin)
      SELECT s.xmin::text AS xmin,
             (SELECT count(*) FROM events WHERE transaction_id >= ${from}::xid8 AND transaction_id < s.xmin) AS newly_settled,
             (SELECT count(*) FROM events WHERE transaction_id >= s.xmin) AS recent
        FROM s`.execute(this.db);
    const { xmin, newly_settled, recent } = rows[0];
    const settledCount = below + Number(newly_settled);
    // `read` keeps to one query at a time; were two to overlap, each answer is still exact
    // and the mark moves only forward from where the other left it.
    if (this.settled === from) {
      this.settled = xmin;
      this.settledCount = settledCount;
    }
    return settledCount + Number(recent);
  }
}
