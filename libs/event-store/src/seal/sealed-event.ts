import { createHash, createPublicKey, hash, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../request-hash';
import type { LedgerHeadStatement, SignedLedgerHead } from './contract';
import { HASH_BYTES, leafHash } from './merkle';

/**
 * What the seal covers of an event: everything an export carries and an import restores
 * (stream, version, type, schema version, data, metadata), as one JSON object written by
 * PostgreSQL's jsonb output. The store's own stamps, its global position and the time it
 * recorded the event, are left out, so a ledger exported and imported elsewhere seals to the
 * same head; a proof shows them beside the sealed text.
 *
 * Why PostgreSQL's text and not RFC 8785: the seal hashes every event of the ledger, and
 * hashing where the events are (sha256() in the query) spares shipping and parsing each
 * one in Node, which would halve the seal's speed. The text is the one PostgreSQL gives for
 * the value (keys shortest first, then bytewise; ", " and ": "), reproducible with
 * `SELECT '<event JSON>'::jsonb::text`, and a proof carries it: a verifier hashes the bytes it
 * is given, and reads the event from them.
 */
export interface SealedContent {
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: Record<string, unknown>;
}

/**
 * The sealed text of an events row (SQL; `row` names the events table in the query): what
 * `jsonb_build_object('streamId', …, 'metadata', …)::text` gives, written out key by key in
 * jsonb's order (shortest key first, then bytewise), which spares building a jsonb per event
 * (a third of the seal's time in the database). A spec holds the two equal.
 */
export const sealedTextSql = (row: string) =>
  `'{"data": ' || ${row}.data::text || ', "type": ' || to_json(${row}.type)::text || ', "metadata": ' || ${row}.metadata::text ||
   ', "streamId": ' || to_json(${row}.stream_id)::text || ', "schemaVersion": ' || ${row}.schema_version ||
   ', "streamVersion": ' || ${row}.stream_version || '}'`;

/** Its leaf, computed by PostgreSQL: SHA-256(0x00 ‖ UTF-8 of the sealed text). */
export const leafSql = (row: string) => `sha256('\\x00'::bytea || convert_to(${sealedTextSql(row)}, 'UTF8'))`;

/** The leaf of a sealed text, as a verifier computes it. */
export function sealedLeaf(sealedText: string): Buffer {
  return leafHash(Buffer.from(sealedText, 'utf8'));
}

/** The content a sealed text holds, for comparing with the event a proof shows. */
export function contentOf(e: SealedContent): SealedContent {
  return {
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: e.metadata,
  };
}

/** PGlite hands bytea back as a Uint8Array, pg as a Buffer. */
export const bytes = (value: Uint8Array): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));

/** The chain before the first event: 32 zero bytes. */
export const CHAIN_START = Buffer.alloc(HASH_BYTES);

/** The hash chain: each link commits to the one before and to the event's leaf. */
const link = Buffer.alloc(2 * HASH_BYTES);

export function chainLink(previous: Buffer, leaf: Buffer): Buffer {
  previous.copy(link, 0);
  leaf.copy(link, HASH_BYTES);
  return hash('sha256', link, 'buffer');
}

export function statementBytes(head: LedgerHeadStatement): Buffer {
  const { size, root, chain, position, sealedAt } = head;
  return Buffer.from(canonicalJson({ size, root, chain, position, sealedAt }));
}

const publicOf = (key: KeyObject): KeyObject => (key.type === 'private' ? createPublicKey(key) : key);

/** SHA-256 of the public key's DER (SubjectPublicKeyInfo), hex: the name a seal records. */
export function keyIdOf(key: KeyObject): string {
  return createHash('sha256').update(publicOf(key).export({ type: 'spki', format: 'der' })).digest('hex');
}

export function publicKeyPem(key: KeyObject): string {
  return publicOf(key).export({ type: 'spki', format: 'pem' }).toString();
}

export function signStatement(head: LedgerHeadStatement, privateKey: KeyObject): Buffer {
  return sign(null, statementBytes(head), privateKey);
}

/**
 * Checks a head's signature with `trusted` (a key the reader pinned) or, failing one, with the
 * key the head carries, which only shows the head was not altered after signing by that key.
 */
export function checkHeadSignature(
  head: SignedLedgerHead,
  trusted?: KeyObject,
): { ok: true; keyId: string; pinned: boolean } | { ok: false; reason: string } {
  if (!head.signature) return { ok: false, reason: 'the head is not signed' };
  if (head.signature.algorithm !== 'Ed25519') return { ok: false, reason: `unknown signature algorithm ${head.signature.algorithm}` };
  let key: KeyObject;
  try {
    key = trusted ?? createPublicKey(head.signature.publicKey);
  } catch {
    return { ok: false, reason: 'the head carries no readable public key' };
  }
  const keyId = keyIdOf(key);
  if (trusted && keyId !== head.signature.keyId) return { ok: false, reason: `signed by key ${head.signature.keyId.slice(0, 16)}…, not the pinned key ${keyId.slice(0, 16)}…` };
  const valid = verify(null, statementBytes(head), key, Buffer.from(head.signature.value, 'base64'));
  return valid ? { ok: true, keyId, pinned: trusted !== undefined } : { ok: false, reason: 'the signature does not match the head' };
}
