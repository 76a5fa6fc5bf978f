import { createPublicKey, type KeyObject } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { START, type CommitPoint } from '../checkpoint';
import type { EventStore } from '../event-store';
import type { EventStoreTables } from '../types';
import { Frontier } from './merkle';
import { leavesOf, SEAL_BATCH_SIZE, statementOf, TILE_HEIGHT, TILE_LEAVES, type SealRow } from './ledger-seal';
import type { SignedLedgerHead } from './contract';
import { bytes, CHAIN_START, chainLink, checkHeadSignature, leafSql } from './sealed-event';

/** An event as verify reads it: where it is, what it is, and its leaf (hashed by PostgreSQL). */
interface LeafRow {
  position: number;
  transactionId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  leaf: Buffer;
}

export interface VerifyProgress {
  events: number;
  /** Events sealed, which is what the pass covers. */
  total: number;
}

/** The first thing found that does not match, said so a person can go and look. */
export interface LedgerMismatch {
  /** Index in the sealed order. */
  leafIndex: number;
  seal: number;
  /** The event found at that place, if any. */
  event: { position: number; streamId: string; streamVersion: number; type: string } | null;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  eventsChecked: number;
  seals: number;
  signedSeals: number;
  /** Events committed after the last seal: not covered yet. */
  unsealed: number;
  head: { size: number; root: string; chain: string } | null;
  /** A head published earlier, if one was given: found in this ledger or not. */
  publishedHead?: { ok: boolean; message: string };
  mismatch: LedgerMismatch | null;
}

/** Seals read at a time: each holds up to 160 KB of leaves, so a few MB in memory. */
const SEAL_PAGE = 20;
const EVENT_PAGE = SEAL_BATCH_SIZE;

/**
 * Recomputes the whole seal from the events table: every event's leaf against the leaf
 * sealed at its place, and at every seal the root, the chain and the signature. Streams both
 * logs a page at a time, so memory stays flat whatever the ledger's size. Stops at the first
 * mismatch and names the event found there, with a guess at what happened (altered,
 * removed, inserted) from the leaves around it.
 */
export async function verifyLedger(store: EventStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  // One snapshot for the whole pass: on a live ledger, seals and events committed meanwhile
  // would otherwise be read on one side and not the other. Read-only, it takes no transaction
  // id, so it holds back no reader's gap-safe horizon.
  return store.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((trx) => verifyIn(trx, options));
}

interface VerifyOptions {
  publicKey?: KeyObject;
  publishedHead?: SignedLedgerHead;
  onProgress?: (p: VerifyProgress) => void;
}

async function verifyIn(db: Kysely<EventStoreTables>, options: VerifyOptions): Promise<VerifyReport> {
  const { rows: totals } = await sql<{ size: number | null; seals: number }>`
    SELECT max(size) AS size, count(*)::int AS seals FROM ledger_seals`.execute(db);
  const total = Number(totals[0].size ?? 0);
  const keys = new Map<string, KeyObject>();
  const { rows: keyRows } = await sql<{ key_id: string; public_key: string }>`SELECT key_id, public_key FROM ledger_keys`.execute(db);
  for (const k of keyRows) keys.set(k.key_id, createPublicKey(k.public_key));

  // The tiles proofs are built from, checked as the tree completes each one.
  const { rows: tileRows } = await sql<{ tile: number; hash: Uint8Array }>`SELECT tile, hash FROM ledger_tiles`.execute(db);
  const tiles = new Map(tileRows.map((t) => [Number(t.tile), bytes(t.hash)]));
  let badTile: number | undefined;

  const report: VerifyReport = { ok: true, eventsChecked: 0, seals: 0, signedSeals: 0, unsealed: 0, head: null, mismatch: null };
  const frontier = new Frontier();
  let chain: Buffer = CHAIN_START;
  let events: LeafRow[] = [];
  let eventAt = 0;
  let eventsEnd = false;
  let after: CommitPoint = START;

  // Every event in commit order, with no gap-safety horizon: an event slipped into a sealed
  // range by hand must be seen even if its transaction id is old. Leaves are hashed by the
  // database, as the seal hashed them; 32 bytes an event come back.
  const nextEvent = async (): Promise<LeafRow | null> => {
    if (eventAt === events.length && !eventsEnd) {
      const { rows } = await sql<{ position: number; transaction_id: string; stream_id: string; stream_version: number; type: string; leaf: Uint8Array }>`
        SELECT e."position", e.transaction_id::text AS transaction_id, e.stream_id, e.stream_version, e.type, ${sql.raw(leafSql('e'))} AS leaf
          FROM events e
         WHERE (e.transaction_id, e."position") > (${after.transactionId}::xid8, ${after.position}::bigint)
         ORDER BY e.transaction_id, e."position" LIMIT ${EVENT_PAGE}`.execute(db);
      events = rows.map((r) => ({
        position: Number(r.position),
        transactionId: r.transaction_id,
        streamId: r.stream_id,
        streamVersion: r.stream_version,
        type: r.type,
        leaf: bytes(r.leaf),
      }));
      eventAt = 0;
      if (events.length) after = { transactionId: events[events.length - 1].transactionId, position: events[events.length - 1].position };
      eventsEnd = events.length < EVENT_PAGE;
    }
    return eventAt < events.length ? events[eventAt++] : null;
  };
  const peekEvent = async (): Promise<LeafRow | null> => {
    const e = await nextEvent();
    if (e) eventAt--;
    return e;
  };

  const fail = (mismatch: LedgerMismatch): VerifyReport => ({ ...report, ok: false, mismatch });
  const describe = (e: LeafRow | null) =>
    e ? { position: e.position, streamId: e.streamId, streamVersion: e.streamVersion, type: e.type } : null;
  const name = (e: LeafRow | null) => (e ? `the event at position ${e.position} (${e.streamId} v${e.streamVersion}, ${e.type})` : 'no event');

  let lastSeal = 0;
  let published = options.publishedHead;
  for (;;) {
    const { rows: seals } = await sql<SealRow>`
      SELECT * FROM ledger_seals WHERE seal > ${lastSeal} ORDER BY seal LIMIT ${SEAL_PAGE}`.execute(db);
    if (seals.length === 0) break;
    for (const seal of seals) {
      const sealNo = Number(seal.seal);
      if (sealNo !== lastSeal + 1) return fail({ leafIndex: frontier.size, seal: lastSeal + 1, event: null, message: `seal ${lastSeal + 1} is missing (the next is ${sealNo})` });
      lastSeal = sealNo;
      const sealed = leavesOf(seal);
      for (let i = 0; i < sealed.length; i++) {
        const index = frontier.size;
        const event = await nextEvent();
        const leaf = event?.leaf ?? null;
        if (!leaf || !leaf.equals(sealed[i])) {
          const following = await peekEvent();
          const guess = !event
            ? 'the ledger ends here: sealed events were removed'
            : sealed[i + 1] && leaf!.equals(sealed[i + 1])
              ? 'the event sealed here is gone: it was removed'
              : following && following.leaf.equals(sealed[i])
                ? 'this event was not sealed here: it was inserted'
                : 'its content differs from what was sealed: it was altered';
          return fail({ leafIndex: index, seal: sealNo, event: describe(event), message: `${name(event)} does not match leaf ${index} of seal ${sealNo}: ${guess}` });
        }
        chain = chainLink(chain, leaf);
        frontier.append(leaf, (height, tile, hash) => {
          if (height === TILE_HEIGHT && !tiles.get(tile)?.equals(hash)) badTile ??= tile;
          if (height === TILE_HEIGHT) tiles.delete(tile);
        });
        if (badTile !== undefined) {
          return fail({ leafIndex: index, seal: sealNo, event: null, message: `tile ${badTile} (leaves ${badTile * TILE_LEAVES} to ${badTile * TILE_LEAVES + TILE_LEAVES - 1}) is missing or not what its leaves give: proofs through it fail` });
        }
        report.eventsChecked++;
        if (published && frontier.size === published.size) {
          // Any size, not only a seal's: an imported ledger is sealed in other batches.
          report.publishedHead =
            published.root === frontier.root().toString('hex') && published.chain === chain.toString('hex')
              ? { ok: true, message: `the published head of ${published.size} events is in this ledger` }
              : { ok: false, message: `the published head of ${published.size} events has root ${published.root.slice(0, 16)}…, this ledger ${frontier.root().toString('hex').slice(0, 16)}…: history was rewritten` };
          published = undefined;
        }
        if (report.eventsChecked % 10_000 === 0) options.onProgress?.({ events: report.eventsChecked, total });
      }
      const stored = statementOf(seal);
      const lastEvent = events[eventAt - 1];
      if (lastEvent && lastEvent.position !== stored.position) {
        return fail({ leafIndex: frontier.size - 1, seal: sealNo, event: describe(lastEvent), message: `seal ${sealNo} ends at position ${stored.position}, but its last leaf is ${name(lastEvent)}` });
      }
      if (Number(seal.size) !== frontier.size || stored.root !== frontier.root().toString('hex') || stored.chain !== chain.toString('hex')) {
        return fail({ leafIndex: frontier.size - 1, seal: sealNo, event: describe(lastEvent ?? null), message: `seal ${sealNo}'s size, root or chain is not what its events give: the seal was rewritten` });
      }
      if (!bytes(seal.frontier).equals(frontier.toBytes())) {
        return fail({ leafIndex: frontier.size - 1, seal: sealNo, event: null, message: `seal ${sealNo}'s stored tree edge is not what its events give: the seal was rewritten` });
      }
      if (seal.signature) {
        const key = options.publicKey ?? keys.get(seal.key_id ?? '');
        const signed: SignedLedgerHead = {
          ...stored,
          signature: { algorithm: 'Ed25519', keyId: seal.key_id ?? '', publicKey: '', value: bytes(seal.signature).toString('base64') },
        };
        const check = key ? checkHeadSignature(signed, key) : { ok: false as const, reason: `its key ${seal.key_id} is not known` };
        if (!check.ok) return fail({ leafIndex: frontier.size - 1, seal: sealNo, event: null, message: `seal ${sealNo}'s signature does not check: ${check.reason}` });
        report.signedSeals++;
      } else if (options.publicKey && report.signedSeals > 0) {
        // Seals made before the ledger had a key are covered by the first signed one (its root
        // is over every event before it); a gap in signing after it is not.
        return fail({ leafIndex: frontier.size - 1, seal: sealNo, event: null, message: `seal ${sealNo} is not signed, though seals before it were` });
      }
      report.seals++;
      report.head = { size: stored.size, root: stored.root, chain: stored.chain };
    }
  }
  if (tiles.size) {
    const extra = Math.min(...tiles.keys());
    return fail({ leafIndex: frontier.size, seal: report.seals, event: null, message: `tile ${extra} covers leaves no seal holds: the tiles were tampered with` });
  }
  if (options.publicKey && report.signedSeals === 0) {
    return fail({ leafIndex: frontier.size, seal: report.seals, event: null, message: report.seals ? 'no seal is signed, and a key was pinned' : 'nothing is sealed, and a key was pinned' });
  }
  if (published) {
    report.publishedHead = { ok: false, message: `the published head covers ${published.size} events; this ledger seals ${frontier.size}` };
  }
  options.onProgress?.({ events: report.eventsChecked, total });
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(db);
  report.unsealed = rows[0].n - report.eventsChecked;
  if (report.publishedHead && !report.publishedHead.ok) report.ok = false;
  return report;
}
