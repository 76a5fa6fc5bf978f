import type { KeyObject } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { PREPARE } from '@app/db/connection';
import { compareCommitPoints } from '../checkpoint';
import type { Projection } from '../projection';
import type { EventRow } from '../event-store';
import type { EventStoreTables, StoredEvent } from '../types';
import { EMPTY_ROOT, Frontier, HASH_BYTES, inclusionPath, nodeHash, rootOf, splitPoint, type SubtreeSource } from './merkle';
import { bytes, CHAIN_START, chainLink, keyIdOf, publicKeyPem, sealedTextSql, signStatement } from './sealed-event';
import type { LedgerHeadStatement, LedgerProof, SignedLedgerHead } from './contract';

export const SEAL_PROJECTION = 'ledger_seal';
/** Tiles are the roots of aligned subtrees of 2^8 leaves. */
export const TILE_HEIGHT = 8;
export const TILE_LEAVES = 2 ** TILE_HEIGHT;
/** Events per seal at most: catching up, one row (160 KB of leaves) and one signature per 5,000. */
export const SEAL_BATCH_SIZE = 5000;
/** Under a stream of appends, a seal at most about this often (see Projection.gatherMs). */
export const SEAL_GATHER_MS = 250;

/** A seal as stored (migration 2026-12-03T01). */
export interface SealRow {
  seal: number;
  size: number;
  leaves: Uint8Array;
  last_transaction_id: string;
  last_position: number;
  root: Uint8Array;
  chain: Uint8Array;
  frontier: Uint8Array;
  sealed_at: Date;
  key_id: string | null;
  signature: Uint8Array | null;
}

const hex = (value: Uint8Array): string => bytes(value).toString('hex');

export function statementOf(row: Pick<SealRow, 'size' | 'root' | 'chain' | 'last_position' | 'sealed_at'>): LedgerHeadStatement {
  return { size: Number(row.size), root: hex(row.root), chain: hex(row.chain), position: Number(row.last_position), sealedAt: row.sealed_at.toISOString() };
}

/** The leaf hashes a seal holds, in order. */
export function leavesOf(row: Pick<SealRow, 'leaves'>): Buffer[] {
  const all = bytes(row.leaves);
  const leaves: Buffer[] = [];
  for (let i = 0; i < all.length; i += HASH_BYTES) leaves.push(all.subarray(i, i + HASH_BYTES));
  return leaves;
}

/**
 * Seals the log in commit order, off the append path: appends stay concurrent and as fast as
 * without it, and one seal takes a whole batch (one row, one signature). Running in the
 * ProjectionRunner gives it what the other projections have: a checkpoint committed with its
 * writes, one sealer at a time across processes (the advisory lock), resumption after a crash.
 * The database hashes each event where it is, in the runner's read (Projection.reads): the
 * seal is over what the table holds, and only 32 bytes an event reach Node.
 */
export function sealingProjection(options: { signingKey?: KeyObject; batchSize?: number } = {}): Projection {
  const { signingKey, batchSize = SEAL_BATCH_SIZE } = options;
  const keyId = signingKey ? keyIdOf(signingKey) : null;
  const publicKey = signingKey ? publicKeyPem(signingKey) : null;
  return {
    name: SEAL_PROJECTION,
    eventTypes: 'all',
    reads: 'leaves',
    batchSize,
    gatherMs: SEAL_GATHER_MS,
    async handle(trx: Transaction<EventStoreTables>, events: StoredEvent[]) {
      const { rows } = await sql<Pick<SealRow, 'seal' | 'size' | 'chain' | 'frontier' | 'last_transaction_id' | 'last_position' | 'key_id'>>`${sql.raw(PREPARE)}
        SELECT seal, size, chain, frontier, last_transaction_id::text AS last_transaction_id, last_position, key_id
          FROM ledger_seals ORDER BY seal DESC LIMIT 1`.execute(trx);
      const previous = rows[0];
      // Seal only what follows the last seal: a checkpoint moved back (by hand) must not seal
      // events twice. And a process without the key must not add unsigned seals to a signed
      // ledger: the projection stops on this, and /ready names it.
      if (previous && compareCommitPoints(events[0], { transactionId: previous.last_transaction_id, position: Number(previous.last_position) }) <= 0) {
        throw new Error(`event ${events[0].position} was sealed already (seal ${previous.seal} ends at ${previous.last_position}): the checkpoint is behind the seals`);
      }
      if (previous?.key_id && !signingKey) throw new Error('the ledger is signed and this process has no LEDGER_SIGNING_KEY');
      const frontier = previous ? Frontier.fromBytes(Number(previous.size), bytes(previous.frontier)) : new Frontier();
      let chain: Buffer = previous ? bytes(previous.chain) : CHAIN_START;
      const tiles: { tile: number; hash: Buffer }[] = [];
      const leaves = events.map((e) => {
        if (!e.leaf) throw new Error(`event ${e.position} was read without its leaf`);
        return e.leaf;
      });
      for (const leaf of leaves) {
        chain = chainLink(chain, leaf);
        frontier.append(leaf, (height, index, hash) => {
          if (height === TILE_HEIGHT) tiles.push({ tile: index, hash });
        });
      }
      const last = events[events.length - 1];
      const statement: LedgerHeadStatement = {
        size: frontier.size,
        root: frontier.root().toString('hex'),
        chain: chain.toString('hex'),
        position: last.position,
        sealedAt: new Date().toISOString(),
      };
      const signature = signingKey ? signStatement(statement, signingKey) : null;
      await sql`${sql.raw(PREPARE)}
        INSERT INTO ledger_seals (seal, size, leaves, last_transaction_id, last_position, root, chain, frontier, sealed_at, key_id, signature)
        VALUES (${Number(previous?.seal ?? 0) + 1}, ${statement.size}, ${Buffer.concat(leaves)}, ${last.transactionId}::xid8, ${last.position},
                ${Buffer.from(statement.root, 'hex')}, ${chain}, ${frontier.toBytes()}, ${statement.sealedAt}::timestamptz, ${keyId}, ${signature})`.execute(trx);
      if (tiles.length) {
        await sql`INSERT INTO ledger_tiles (tile, hash)
          SELECT * FROM unnest(${tiles.map((t) => t.tile)}::bigint[], ${tiles.map((t) => t.hash)}::bytea[])`.execute(trx);
      }
      // With every signed seal, not once per process: a seal whose batch rolled back must not
      // leave its key unrecorded for the next.
      if (signingKey) {
        await sql`${sql.raw(PREPARE)}
          INSERT INTO ledger_keys (key_id, public_key) VALUES (${keyId}, ${publicKey}) ON CONFLICT (key_id) DO NOTHING`.execute(trx);
      }
    },
  };
}

/** Reads the seals: the head, and inclusion proofs against it. */
export class LedgerSeals {
  constructor(private readonly db: Kysely<EventStoreTables>) {}

  /** The latest seal, signed if sealing had a key; an empty ledger's head when nothing is sealed. */
  async head(): Promise<SignedLedgerHead> {
    const { rows } = await sql<SealRow & { public_key: string | null }>`${sql.raw(PREPARE)}
      SELECT s.size, s.root, s.chain, s.last_position, s.sealed_at, s.key_id, s.signature, k.public_key
        FROM (SELECT * FROM ledger_seals ORDER BY seal DESC LIMIT 1) s
        LEFT JOIN ledger_keys k ON k.key_id = s.key_id`.execute(this.db);
    const row = rows[0];
    if (!row) return { size: 0, root: EMPTY_ROOT.toString('hex'), chain: CHAIN_START.toString('hex'), position: 0, sealedAt: new Date(0).toISOString(), signature: null };
    return {
      ...statementOf(row),
      signature:
        row.signature && row.key_id && row.public_key
          ? { algorithm: 'Ed25519', keyId: row.key_id, publicKey: row.public_key, value: bytes(row.signature).toString('base64') }
          : null,
    };
  }

  /**
   * Inclusion proofs of a stream's events, as stored, against the current head. What a proof
   * carries of the event is read from the events table, and its path from the seals: an event
   * altered, removed or slipped in since it was sealed yields a proof that does not check.
   */
  async proveStream(streamId: string): Promise<LedgerProof> {
    const head = await this.head();
    const { rows } = await sql<EventRow & { sealed: string; leaf_index: number | null }>`
      SELECT e."position", e.transaction_id::text AS transaction_id, e.stream_id, e.stream_version, e.type, e.schema_version,
             e.data, e.metadata, e.recorded_at, ${sql.raw(sealedTextSql('e'))} AS sealed,
             -- Its index: the leaves sealed before its seal, plus the events of its seal before it.
             s.size - octet_length(s.leaves) / ${HASH_BYTES} + (
               SELECT count(*) FROM events x
                WHERE (x.transaction_id, x."position") < (e.transaction_id, e."position")
                  AND (x.transaction_id, x."position") > (coalesce(p.last_transaction_id, '0'::xid8), coalesce(p.last_position, 0))
             ) AS leaf_index
        FROM events e
        LEFT JOIN LATERAL (
          SELECT seal, size, leaves FROM ledger_seals
           WHERE (last_transaction_id, last_position) >= (e.transaction_id, e."position") AND size <= ${head.size}
           ORDER BY last_transaction_id, last_position LIMIT 1) s ON true
        LEFT JOIN ledger_seals p ON p.seal = s.seal - 1
       WHERE e.stream_id = ${streamId}
       ORDER BY e.stream_version`.execute(this.db);
    const indexes = rows.map((r) => (r.leaf_index === null ? null : Number(r.leaf_index)));
    const source = await this.subtreeSource(head.size, indexes.filter((i): i is number => i !== null && i < head.size));
    return {
      head,
      events: rows.map((r, i) => {
        const leafIndex = indexes[i] !== null && indexes[i]! < head.size ? indexes[i] : null;
        return {
          sealed: r.sealed,
          event: {
            streamId: r.stream_id,
            streamVersion: r.stream_version,
            type: r.type,
            schemaVersion: r.schema_version,
            data: r.data,
            metadata: r.metadata,
            position: Number(r.position),
            recordedAt: r.recorded_at.toISOString(),
          },
          leafIndex,
          path: leafIndex === null ? [] : inclusionPath(leafIndex, head.size, source).map((h) => h.toString('hex')),
        };
      }),
    };
  }

  /**
   * What audit paths in the tree of `size` leaves need: every full tile's root (125 KB for a
   * million events), and the leaves of the tiles the proven leaves lie in and of the ragged tail.
   */
  private async subtreeSource(size: number, leafIndexes: number[]): Promise<SubtreeSource> {
    const fullTiles = Math.floor(size / TILE_LEAVES);
    const { rows: tileRows } = await sql<{ hash: Uint8Array }>`
      SELECT hash FROM ledger_tiles WHERE tile < ${fullTiles} ORDER BY tile`.execute(this.db);
    const tiles = tileRows.map((r) => bytes(r.hash));
    if (tiles.length !== fullTiles) throw new Error(`the seals hold ${tiles.length} of the ${fullTiles} tiles of a ${size}-leaf tree`);
    const leaves = new Map<number, Buffer>();
    const wanted = new Set(leafIndexes.map((i) => Math.floor(i / TILE_LEAVES)));
    if (size % TILE_LEAVES) wanted.add(fullTiles);
    for (const tile of wanted) {
      const start = tile * TILE_LEAVES;
      for (const [i, leaf] of await this.leavesIn(start, Math.min(size, start + TILE_LEAVES))) leaves.set(i, leaf);
    }
    // Each event of a proof walks the same big subtrees: compute each once.
    const known = new Map<string, Buffer>();
    const subtree = (start: number, end: number): Buffer => {
      const key = `${start}:${end}`;
      let hash = known.get(key);
      if (!hash) known.set(key, (hash = computeSubtree(start, end)));
      return hash;
    };
    const computeSubtree = (start: number, end: number): Buffer => {
      const n = end - start;
      if (n === 1) {
        const leaf = leaves.get(start);
        if (!leaf) throw new Error(`leaf ${start} was not loaded`);
        return leaf;
      }
      // An aligned perfect subtree of whole tiles: the tree of their roots.
      if (start % TILE_LEAVES === 0 && n % TILE_LEAVES === 0 && (n & (n - 1)) === 0 && end <= fullTiles * TILE_LEAVES) {
        return rootOf(tiles.slice(start / TILE_LEAVES, end / TILE_LEAVES));
      }
      const k = splitPoint(n);
      return nodeHash(subtree(start, start + k), subtree(start + k, end));
    };
    return { subtree };
  }

  /** Leaf hashes [start, end), by index, from the seals that hold them. */
  private async leavesIn(start: number, end: number): Promise<Map<number, Buffer>> {
    const { rows } = await sql<Pick<SealRow, 'size' | 'leaves'>>`
      SELECT size, leaves FROM ledger_seals
       WHERE size > ${start} AND size <= (SELECT min(size) FROM ledger_seals WHERE size >= ${end})
       ORDER BY size`.execute(this.db);
    const found = new Map<number, Buffer>();
    for (const row of rows) {
      const leaves = leavesOf(row);
      const first = Number(row.size) - leaves.length;
      leaves.forEach((leaf, i) => {
        if (first + i >= start && first + i < end) found.set(first + i, leaf);
      });
    }
    return found;
  }
}
