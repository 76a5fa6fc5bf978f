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
 * Counting a million events on every read would cost more than the read, so the count of the
 * events of ended transactions is kept here and only the newer ones are counted: a short range
 * of the commit-order index. "Ended" is judged within this database: the snapshot's own xmin is
 * cluster-wide, and one long transaction in another database (a dump, a report, a test run)
 * would hold it back and make every count cover everything appended since. A second query,
 * at most once a second and never awaited by a read, notes the oldest transaction id still
 * running here (pg_stat_activity, which costs five times the counts); every read that starts
 * after it has answered sees every transaction below that id ended, so it counts up to it once
 * and for all.
 *
 * Reads are fenced: `read()` answers with a head taken after it was called, so a write that
 * answered before a read began (in this process or another) is always counted. Concurrent
 * callers share one query: a caller arriving while one is in flight waits for the next one.
 */
/** How often the settled mark is moved on: the counted range holds at most this long's appends, and a little more. */
const MARK_EVERY_MS = 1000;

export class LedgerHead {
  /** Every transaction below this id has ended; `settledCount` events of theirs are visible. */
  private settled = '0';
  private settledCount = 0;
  /** Below it, every transaction had ended when the last mark query answered: the next mark. */
  private ended = '0';
  private markedAt = -Infinity;
  private marking = false;
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
    this.refreshMark();
    const from = this.settled;
    const below = this.settledCount;
    const to = BigInt(this.ended) > BigInt(from) ? this.ended : from;
    const { rows } = await sql<{ newly_settled: string; recent: string }>`${sql.raw(PREPARE)}
      SELECT (SELECT count(*) FROM events WHERE transaction_id >= ${from}::xid8 AND transaction_id < ${to}::xid8) AS newly_settled,
             (SELECT count(*) FROM events WHERE transaction_id >= ${to}::xid8) AS recent`.execute(this.db);
    const { newly_settled, recent } = rows[0];
    const settledCount = below + Number(newly_settled);
    // `read` keeps to one query at a time; were two to overlap, each answer is still exact
    // and the mark moves only forward from where the other left it.
    if (this.settled === from) {
      this.settled = to;
      this.settledCount = settledCount;
    }
    return settledCount + Number(recent);
  }

  /** Asks, in the background, for the oldest transaction still running in this database. */
  private refreshMark(): void {
    const now = performance.now();
    if (this.marking || now - this.markedAt < MARK_EVERY_MS) return;
    this.marking = true;
    this.markedAt = now;
    // backend_xid is a 32-bit xid: it is widened with the epoch of the snapshot's xmax (an xid
    // above xmax's low half belongs to the epoch before).
    sql<{ ended: string }>`${sql.raw(PREPARE)}
      WITH s AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax),
           running AS (
             SELECT a.backend_xid::text::bigint AS x FROM pg_stat_activity a
              WHERE a.datname = current_database() AND a.backend_xid IS NOT NULL)
      SELECT coalesce((SELECT min(CASE WHEN r.x <= (s.xmax & 4294967295) THEN (s.xmax >> 32 << 32) + r.x
                                       ELSE (s.xmax >> 32 << 32) - 4294967296 + r.x END) FROM running r), s.xmax)::text AS ended
        FROM s`
      .execute(this.db)
      .then(({ rows }) => {
        if (BigInt(rows[0].ended) > BigInt(this.ended)) this.ended = rows[0].ended;
      })
      // A mark not taken only leaves the counted range longer until the next one.
      .catch(() => undefined)
      .finally(() => (this.marking = false));
  }
}
