import { EventEmitter } from 'node:events';
import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import { PREPARE, type Database } from '@app/db/connection';
import { START, compareCommitPoints, decodeCheckpoint, encodeCheckpoint, type CommitPoint } from './checkpoint';
import { IdempotencyKeyReusedError, VersionConflictError } from './event-store.errors';
import { GroupCommit } from './group-commit';
import { AppendSignal } from './notifications';
import { appendRequestHash } from './request-hash';
import { bytes, leafSql } from './seal/sealed-event';
import { UpcasterChain, type Upcaster } from './upcasters';
import { handles, type Projection } from './projection';
import type {
  AppendOptions,
  AppendResult,
  EventStoreTables,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  IdempotentAppend,
  StoredEvent,
  StreamAppend,
} from './types';

export interface EventStoreOptions {
  upcasters?: readonly Upcaster[];
  /** Read models updated in the append's own transaction: consistent when append returns. */
  inlineProjections?: readonly Projection[];
  /** Send NOTIFY after appends so runners in other processes wake at once (default true). */
  notify?: boolean;
  /**
   * Concurrent one-stream appends that expect an exact version, without an idempotency key,
   * share transactions (see GroupCommit): for servers with many writers and inline
   * projections. Off by default.
   */
  groupCommit?: { inFlight: number; maxBatch: number };
}

/** Where a read or write runs: the pool, or a transaction (a Transaction is a Kysely). */
export type Executor = Kysely<EventStoreTables>;

interface AppendedRow {
  stream_id: string;
  stream_version: number;
  position: number;
  transaction_id: string;
  recorded_at: Date;
  replayed?: boolean;
}

/** An events row as pg returns it (bigint as number, xid8 as text). */
export interface EventRow {
  position: number;
  transaction_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

/**
 * The common append (one stream, no idempotency key) as one plain prepared statement instead
 * of the append_events function: the version check is the WHERE clause, so a mismatch inserts
 * nothing and returns no rows (mapped to ES001 below); a racing writer that got there first
 * still surfaces as a unique violation on (stream_id, stream_version).
 */
const APPEND_ONE_STREAM = `${PREPARE}
  WITH cur AS (SELECT coalesce(max(e.stream_version), 0) AS v FROM events e WHERE e.stream_id = $1::text)
  INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata)
  SELECT $1::text, cur.v + x.ord::integer, x.t, x.v, x.d, x.m
    FROM cur, ROWS FROM (jsonb_to_recordset($3::jsonb) AS (t text, v smallint, d jsonb, m jsonb))
         WITH ORDINALITY AS x(t, v, d, m, ord)
   WHERE CASE WHEN $2::integer >= 0 THEN cur.v = $2::integer WHEN $2::integer = -2 THEN cur.v > 0 ELSE true END
  RETURNING stream_id, stream_version, "position", transaction_id::text AS transaction_id, recorded_at`;

/** The common read, a whole stream: a constant prepared statement, no per-call query building. */
const READ_WHOLE_STREAM = `${PREPARE}
  SELECT "position", transaction_id::text AS transaction_id, stream_id, stream_version, type, schema_version,
         data, metadata, recorded_at
    FROM events WHERE stream_id = $1 ORDER BY stream_version`;

const EXPECTED_ANY = -1;
const EXPECTED_EXISTS = -2;
// An 'any' append that loses a race to the same next version just tries again. Each lost
// race is another writer's committed append, so this is progress, not a livelock; the cap
// has to exceed the writers one stream may see at once (5 failed 20 concurrent writers).
const ANY_RETRIES = 100;

/** Advisory lock namespace (first key) shared by projection runners and inline appends. */
export const PROJECTION_LOCK_CLASS = 0x504c; // 'PL'

function expectedCode(expected: ExpectedVersion): number {
  if (expected === 'any') return EXPECTED_ANY;
  if (expected === 'exists') return EXPECTED_EXISTS;
  if (expected === 'no_stream') return 0;
  if (!Number.isInteger(expected) || expected < 0) throw new RangeError(`bad expected version ${expected}`);
  return expected;
}

function pgError(err: unknown): { code?: string; constraint?: string; detail?: string } {
  return (err ?? {}) as { code?: string; constraint?: string; detail?: string };
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    position: row.position,
    transactionId: row.transaction_id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

/** Views the process's connection through the store's tables. */
export function storeDb(db: Database): Kysely<EventStoreTables> {
  return db.withTables<EventStoreTables>();
}

/**
 * The event store: an append-only `events` table in Postgres, read in stream order or in
 * commit order. Generic: it knows nothing about what the events mean.
 */
export class EventStore {
  private readonly upcasters: UpcasterChain;
  private readonly inline: readonly Projection[];
  private readonly signal?: AppendSignal;
  private readonly local = new EventEmitter();
  private readonly group?: GroupCommit;

  constructor(
    readonly db: Kysely<EventStoreTables>,
    options: EventStoreOptions = {},
  ) {
    this.upcasters = new UpcasterChain(options.upcasters);
    this.inline = options.inlineProjections ?? [];
    if (options.notify !== false) this.signal = new AppendSignal(db);
    if (options.groupCommit) this.group = new GroupCommit((appends) => this.appendMany(appends), options.groupCommit);
    this.local.setMaxListeners(0);
  }

  /** The payload of this store's NOTIFYs (see AppendSignal.sender); undefined when it sends none. */
  get notificationSender(): string | undefined {
    return this.signal?.sender;
  }

  get inlineProjections(): readonly Projection[] {
    return this.inline;
  }

  /** Called after every committed fresh append, in this process (wakes local runners, feeds the EventBus). */
  onAppended(listener: (events: StoredEvent[]) => void): () => void {
    this.local.on('appended', listener);
    return () => this.local.off('appended', listener);
  }

  /** Appends events to one stream atomically. */
  append(
    streamId: string,
    events: NewEvent[],
    options: AppendOptions & { expectedVersion: ExpectedVersion },
  ): Promise<AppendResult> {
    const exact = options.expectedVersion === 'no_stream' ? 0 : options.expectedVersion;
    if (this.group && !options.idempotencyKey && !options.alsoWrite && typeof exact === 'number') {
      // Batched with others: the metadata goes with each event, as appendMany would merge it.
      const own = events.map((e) => ({ ...e, metadata: { ...options.metadata, ...e.metadata } }));
      return this.group.append(streamId, own, exact);
    }
    return this.appendMany([{ streamId, events, expectedVersion: options.expectedVersion }], options);
  }

  /**
   * Appends to several streams in one transaction: all or nothing. A stream that is not at
   * its expected version fails the whole append with a VersionConflictError.
   */
  async appendMany(appends: readonly StreamAppend[], options: AppendOptions = {}): Promise<AppendResult> {
    if (appends.length === 0 || appends.some((a) => a.events.length === 0)) {
      throw new RangeError('an append needs at least one stream and one event per stream');
    }
    if (new Set(appends.map((a) => a.streamId)).size !== appends.length) {
      throw new RangeError('an append names each stream once (put all of a stream\'s events in one entry)');
    }
    const requestHash = options.idempotencyKey ? appendRequestHash(appends) : null;
    const streams = appends.map((a) => ({ id: a.streamId, expected: expectedCode(a.expectedVersion) }));
    const flat: { s: number; t: string; v: number; d: unknown; m: Record<string, unknown> }[] = [];
    appends.forEach((a, s) => {
      for (const e of a.events) {
        const m = { ...options.metadata, ...e.metadata };
        if (options.idempotencyKey) m.idempotencyKey = options.idempotencyKey;
        flat.push({ s, t: e.type, v: e.schemaVersion ?? 1, d: e.data, m });
      }
    });
    const inline = this.inline.filter((p) => flat.some((e) => handles(p, e.t)));

    for (let attempt = 1; ; attempt++) {
      try {
        const run = async (executor: Executor) => {
          const rows = await this.callAppend(executor, streams, flat, options.idempotencyKey, requestHash);
          const replayed = rows[0]?.replayed === true;
          const written = replayed ? [] : rows.map((r, i) => this.storedFromInput(r, flat[i]));
          const stored = this.upcastAppended(written, inline.length > 0);
          for (const projection of inline) {
            const mine = stored.filter((e) => handles(projection, e.type));
            if (mine.length) await projection.handle(executor as Transaction<EventStoreTables>, mine);
          }
          if (options.alsoWrite && !replayed) await options.alsoWrite(executor as Transaction<EventStoreTables>);
          return { rows, stored, replayed };
        };
        const { rows, stored, replayed } = inline.length || options.alsoWrite
          ? await this.db.transaction().execute(async (trx) => {
              // Shared locks: many appends at once, but none while a rebuild swaps the tables.
              const names = inline.map((p) => p.name);
              await sql`${sql.raw(PREPARE)} SELECT pg_advisory_xact_lock_shared(${PROJECTION_LOCK_CLASS}, hashtext(name))
                          FROM unnest(${names}::text[]) AS name`.execute(trx);
              return run(trx);
            })
          : await run(this.db);
        if (!replayed) {
          this.announce(stored);
          this.signal?.signal();
        }
        return this.result(appends, rows, stored, replayed);
      } catch (err) {
        const { code, constraint } = pgError(err);
        if (code === 'ES002') throw new IdempotencyKeyReusedError(options.idempotencyKey!);
        // Only our own guards (and a deadlock between two multi-stream appends) mean another
        // writer got there first; any other error, e.g. an inline projection's, is the caller's.
        const lostRace =
          code === 'ES001' ||
          code === '40P01' ||
          (code === '23505' && (constraint === 'events_stream_version_unique' || constraint === 'event_idempotency_keys_pkey'));
        if (!lostRace) throw err;
        if (options.idempotencyKey) {
          // A concurrent retry of the same request won: answer with its result.
          const earlier = await this.findIdempotentResult(options.idempotencyKey, requestHash!);
          if (earlier) return this.result(appends, earlier, [], true);
        }
        const conflict = await this.describeConflict(appends, err);
        if (conflict) throw conflict;
        // Only 'any' or 'exists' streams lost a race (or a deadlock chose us): try again.
        if (attempt >= ANY_RETRIES) throw err;
      }
    }
  }

  /**
   * Upcasts what was just appended, as every read does, so inline projections and listeners
   * see one schema per type. In the inline transaction a failing upcaster rolls the append
   * back; after an autocommit append the events are stored, and an error now would make the
   * caller retry and append twice, so they are handed on as written (readers will meet it).
   */
  private upcastAppended(events: StoredEvent[], inTransaction: boolean): StoredEvent[] {
    if (inTransaction) return events.map((e) => this.upcasters.apply(e));
    try {
      return events.map((e) => this.upcasters.apply(e));
    } catch {
      return events;
    }
  }

  /** Upcasts one stored event to its type's latest schema. */
  upcast(event: StoredEvent): StoredEvent {
    return this.upcasters.apply(event);
  }

  /**
   * Tells local listeners. The append has committed: a listener that throws must not make it
   * look failed, or the caller would retry and append twice.
   */
  private announce(events: StoredEvent[]): void {
    for (const listener of this.local.listeners('appended')) {
      try {
        listener(events);
      } catch {
        // the listener's own problem; the events are stored and readers will see them
      }
    }
  }

  private async callAppend(
    executor: Executor,
    streams: { id: string; expected: number }[],
    events: unknown[],
    idempotencyKey: string | undefined,
    requestHash: string | null,
  ): Promise<AppendedRow[]> {
    if (streams.length === 1 && !idempotencyKey) {
      // A constant text run as is: no per-call query building in Kysely.
      const { rows } = await executor.executeQuery<AppendedRow>(
        CompiledQuery.raw(APPEND_ONE_STREAM, [streams[0].id, streams[0].expected, JSON.stringify(events)]),
      );
      if (rows.length === 0) {
        throw Object.assign(new Error(`stream ${streams[0].id} is not at its expected version`), { code: 'ES001' });
      }
      return rows;
    }
    const { rows } = await sql<AppendedRow>`${sql.raw(PREPARE)}
      SELECT stream_id, stream_version, "position", transaction_id::text AS transaction_id, recorded_at, replayed
        FROM append_events(${JSON.stringify(streams)}::jsonb, ${JSON.stringify(events)}::jsonb,
                           ${idempotencyKey ?? null}::text, ${requestHash}::text)`.execute(executor);
    return rows;
  }

  private storedFromInput(row: AppendedRow, input: { t: string; v: number; d: unknown; m: Record<string, unknown> }): StoredEvent {
    return {
      position: row.position,
      transactionId: row.transaction_id,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      type: input.t,
      schemaVersion: input.v,
      data: input.d,
      metadata: input.m,
      recordedAt: row.recorded_at,
    };
  }

  private result(
    appends: readonly StreamAppend[],
    rows: AppendedRow[],
    events: StoredEvent[],
    replayed: boolean,
  ): AppendResult {
    // One pass over the rows: an append of a thousand streams would otherwise scan them a thousand times.
    const versions = new Map<string, number>();
    let lastPosition = -Infinity;
    for (const r of rows) {
      versions.set(r.stream_id, Math.max(versions.get(r.stream_id) ?? 0, r.stream_version));
      lastPosition = Math.max(lastPosition, r.position);
    }
    const streams = appends.map((a) => ({ streamId: a.streamId, version: versions.get(a.streamId) ?? 0 }));
    const positions = rows.map((r) => r.position);
    return { streams, version: streams[0].version, positions, lastPosition, replayed, events };
  }

  private async findIdempotentResult(key: string, requestHash: string): Promise<AppendedRow[] | null> {
    const row = await this.idempotencyRecord(key);
    if (!row) return null;
    if (row.requestHash !== requestHash) throw new IdempotencyKeyReusedError(key);
    return row.rows;
  }

  private async idempotencyRecord(key: string): Promise<{ requestHash: string; rows: AppendedRow[] } | null> {
    const row = await this.db
      .selectFrom('event_idempotency_keys')
      .select(['request_hash', 'result'])
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return null;
    // jsonb_agg kept no particular order: sort as a fresh append returns them.
    const rows = (row.result as AppendedRow[])
      .map((r) => ({ ...r, recorded_at: new Date(r.recorded_at) }))
      .sort((a, b) => a.position - b.position);
    return { requestHash: row.request_hash, rows };
  }

  /**
   * What the append first made under an idempotency key wrote, per stream: the versions it
   * took (so a caller can rebuild the request it answered, e.g. decide again on the stream as
   * it stood before). Null when the key has not been used.
   */
  async findIdempotentAppend(key: string): Promise<IdempotentAppend | null> {
    const record = await this.idempotencyRecord(key);
    if (!record) return null;
    const streams = new Map<string, { streamId: string; fromVersion: number; toVersion: number }>();
    for (const r of record.rows) {
      const s = streams.get(r.stream_id);
      if (!s) streams.set(r.stream_id, { streamId: r.stream_id, fromVersion: r.stream_version, toVersion: r.stream_version });
      else {
        s.fromVersion = Math.min(s.fromVersion, r.stream_version);
        s.toVersion = Math.max(s.toVersion, r.stream_version);
      }
    }
    return { streams: [...streams.values()] };
  }

  /** After a failed append: the first stream whose version does not meet its expectation. */
  private async describeConflict(appends: readonly StreamAppend[], err: unknown): Promise<VersionConflictError | null> {
    const versions = await this.streamVersions(appends.map((a) => a.streamId));
    for (const a of appends) {
      const actual = versions.get(a.streamId) ?? 0;
      const e = a.expectedVersion;
      const met = e === 'any' ? false : e === 'exists' ? actual > 0 : actual === expectedCode(e);
      if (e !== 'any' && !met) return new VersionConflictError(a.streamId, e, actual);
    }
    if (pgError(err).code === 'ES001') {
      // The stream was behind the expected version when the append ran and has caught up
      // since: the caller decided on a version that did not exist then, still a conflict.
      const detail = JSON.parse(pgError(err).detail ?? '{}') as { streamId?: string };
      const a = appends.find((x) => x.streamId === detail.streamId) ?? appends[0];
      return new VersionConflictError(a.streamId, a.expectedVersion, versions.get(a.streamId) ?? 0);
    }
    // Every expectation still holds: an 'any' or 'exists' stream lost a race for its next
    // version (or a deadlock chose this append); the transaction rolled back, so try again.
    return null;
  }

  /** Current version of each stream (0 for a stream with no events). */
  async streamVersions(streamIds: readonly string[], executor: Executor = this.db): Promise<Map<string, number>> {
    const rows = await executor
      .selectFrom('events')
      .select(['stream_id', (eb) => eb.fn.max('stream_version').as('version')])
      .where('stream_id', 'in', streamIds)
      .groupBy('stream_id')
      .execute();
    return new Map(rows.map((r) => [r.stream_id, Number(r.version)]));
  }

  async streamVersion(streamId: string): Promise<number> {
    return (await this.streamVersions([streamId])).get(streamId) ?? 0;
  }

  /** A stream's events in version order, upcast to their latest schema. */
  async readStream(streamId: string, options: ReadStreamOptions = {}, executor: Executor = this.db): Promise<StoredEvent[]> {
    const { fromVersion, toVersion, asOfRecordedAt } = options;
    if (fromVersion === undefined && toVersion === undefined && asOfRecordedAt === undefined) {
      const { rows } = await executor.executeQuery<EventRow>(CompiledQuery.raw(READ_WHOLE_STREAM, [streamId]));
      return rows.map((r) => this.upcasters.apply(toStoredEvent(r)));
    }
    const rows = await executor
      .selectFrom('events')
      .modifyFront(sql.raw(PREPARE))
      .select([
        'position',
        sql<string>`transaction_id::text`.as('transaction_id'),
        'stream_id',
        'stream_version',
        'type',
        'schema_version',
        'data',
        'metadata',
        'recorded_at',
      ])
      .where('stream_id', '=', streamId)
      .$if(fromVersion !== undefined, (q) => q.where('stream_version', '>=', fromVersion!))
      .$if(toVersion !== undefined, (q) => q.where('stream_version', '<=', toVersion!))
      .$if(asOfRecordedAt !== undefined, (q) => q.where('recorded_at', '<=', asOfRecordedAt!))
      .orderBy('stream_version')
      .execute();
    return rows.map((r) => this.upcasters.apply(toStoredEvent(r as EventRow)));
  }

  /**
   * All streams' events in commit order, gap-safe: only events of transactions older than
   * every transaction still running are returned, so an event whose transaction commits
   * late is never skipped (its position may be lower than events already read).
   */
  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const from = decodeCheckpoint(options.after);
    const { events, next, caughtUp } = await this.readAfter(this.db, from, {
      limit: options.limit ?? 1000,
      types: options.types,
      streamPrefix: options.streamPrefix,
    });
    return { events, checkpoint: encodeCheckpoint(next), caughtUp };
  }

  /**
   * The commit-order read behind readAll and the projection runner, on any executor.
   * `heldBack` (with a type or stream filter, gap-safe): committed events wait behind the
   * gap-safe horizon, so a reader that is caught up should look again soon.
   */
  async readAfter(
    executor: Executor,
    from: CommitPoint,
    options: {
      limit: number;
      types?: readonly string[];
      streamPrefix?: string;
      gapSafe?: boolean;
      upcast?: boolean;
      /** false: data and metadata come back null, unread and not upcast. */
      content?: boolean;
      /** Each event's seal leaf too, hashed by the database (see Projection.reads). */
      leaves?: boolean;
      /**
       * Say `heldBack` without a filter too (a runner's read of every type, the seal's): a
       * caught-up reader must know to look again soon rather than at its next poll.
       */
      watchHorizon?: boolean;
    },
  ): Promise<{ events: StoredEvent[]; next: CommitPoint; caughtUp: boolean; heldBack: boolean }> {
    const gapSafe = options.gapSafe ?? true;
    const horizon = gapSafe ? sql`AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())` : sql``;
    const typeFilter = options.types ? sql`AND type = ANY(${options.types as string[]}::text[])` : sql``;
    const streamFilter = options.streamPrefix !== undefined ? sql`AND starts_with(stream_id, ${options.streamPrefix})` : sql``;
    // With a type (or stream) filter the batch may be short of the end of the log; the head (the last
    // safely readable event of any type), read in the same statement and so under the same
    // snapshot, lets the checkpoint move past the events this reader does not want. The same
    // row says whether committed events lie beyond the horizon (a round trip saved per batch).
    const heldBack = gapSafe
      ? sql`EXISTS (SELECT 1 FROM events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot()))`
      : sql`false`;
    const head = options.types || options.streamPrefix !== undefined || options.watchHorizon
      ? sql`UNION ALL (SELECT true, h."position", h.transaction_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ${heldBack}, NULL
                         FROM (SELECT 1) one LEFT JOIN LATERAL (
                              SELECT "position", transaction_id::text AS transaction_id FROM events WHERE true ${horizon}
                               ORDER BY events.transaction_id DESC, events."position" DESC LIMIT 1) h ON true)`
      : sql``;
    // ORDER BY names the table's columns: the output column transaction_id is text, and
    // ordering by it would put transaction 1000 before 999.
    const content = options.content ?? true;
    const columns = content ? sql`data, metadata` : sql`NULL::jsonb AS data, NULL::jsonb AS metadata`;
    const leaf = options.leaves ? sql.raw(leafSql('events')) : sql`NULL::bytea`;
    const { rows } = await sql<EventRow & { is_head: boolean; held_back: boolean | null; leaf: Uint8Array | null }>`${sql.raw(PREPARE)}
      (SELECT false AS is_head, "position", transaction_id::text AS transaction_id, stream_id, stream_version,
              type, schema_version, ${columns}, recorded_at, NULL::boolean AS held_back, ${leaf} AS leaf
         FROM events
        WHERE (transaction_id, "position") > (${from.transactionId}::xid8, ${from.position}::bigint)
              ${horizon} ${typeFilter} ${streamFilter}
        ORDER BY events.transaction_id, events."position"
        LIMIT ${options.limit})
      ${head}`.execute(executor);
    const events: StoredEvent[] = [];
    let headPoint: CommitPoint | undefined;
    let behind = false;
    for (const row of rows) {
      if (row.is_head) {
        behind = row.held_back === true;
        if (row.position !== null) headPoint = { transactionId: row.transaction_id, position: row.position };
      } else {
        const event = options.upcast === false || !content ? toStoredEvent(row) : this.upcasters.apply(toStoredEvent(row));
        if (row.leaf) event.leaf = bytes(row.leaf);
        events.push(event);
      }
    }
    const caughtUp = events.length < options.limit;
    const last = events.at(-1);
    let next: CommitPoint = last ? { transactionId: last.transactionId, position: last.position } : from;
    if (caughtUp && headPoint && compareCommitPoints(headPoint, next) > 0) next = headPoint;
    return { events, next, caughtUp, heldBack: caughtUp && behind };
  }

  /**
   * The end of the log in commit order: the last event safely readable now (START when there
   * is none). A reader that starts here misses nothing committed later, however late: every
   * transaction still open has an id above the horizon, so its events sort after this point.
   */
  async head(executor: Executor = this.db): Promise<CommitPoint> {
    const { rows } = await sql<{ position: number; transaction_id: string }>`
      SELECT "position", transaction_id::text AS transaction_id FROM events
       WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY events.transaction_id DESC, events."position" DESC LIMIT 1`.execute(executor);
    const row = rows[0];
    return row ? { transactionId: row.transaction_id, position: Number(row.position) } : START;
  }

  /** Whether any committed event lies after `point` in commit order (readable yet or not). */
  async hasEventsAfter(executor: Executor, point: CommitPoint): Promise<boolean> {
    const { rows } = await sql<{ found: boolean }>`
      SELECT EXISTS (SELECT 1 FROM events
                      WHERE (transaction_id, "position") > (${point.transactionId}::xid8, ${point.position}::bigint)) AS found`.execute(executor);
    return rows[0].found;
  }

  /** The highest global position written so far (0 when empty). */
  async headPosition(executor: Executor = this.db): Promise<number> {
    const { rows } = await sql<{ head: number | null }>`SELECT max("position") AS head FROM events`.execute(executor);
    return Number(rows[0]?.head ?? 0);
  }
}
