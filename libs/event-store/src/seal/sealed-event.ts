import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../request-hash';
import { HASH_BYTES, leafHash } from './merkle';

/**
 * What the seal covers of an event: everything an export carries and an import restores
 * (stream, version, type, schema version, data, metadata). The store's own stamps, its global
 * position and the time it recorded the event, are left out, so a ledger exported and
 * imported elsewhere seals to the same head; they are shown beside each proof instead.
 */
export interface SealedContent {
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: Record<string, unknown>;
}

export function sealedContent(e: SealedContent): SealedContent {
  return {
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: e.metadata,
  };
}

/**
 * The leaf of an event: SHA-256(0x00 ‖ its content as RFC 8785 canonical JSON). For values
 * that came out of JSON (jsonb), canonicalJson is RFC 8785: keys sorted by UTF-16 code units,
 * strings and numbers as ECMAScript writes them, no whitespace; so anyone can recompute it
 * with any JCS library.
 */
export function eventLeaf(e: SealedContent): Buffer {
  return leafHash(canonicalJson(sealedContent(e)));
}

/** The chain before the first event: 32 zero bytes. */
export const CHAIN_START = Buffer.alloc(HASH_BYTES);

/** The hash chain: each link commits to the one before and to the event's leaf. */
export function chainLink(previous: Buffer, leaf: Buffer): Buffer {
  return createHash('sha256').update(previous).update(leaf).digest();
}

/** The statement a seal makes, and the one signed: the tree of the first `size` events. */
export interface LedgerHeadStatement {
  /** Events sealed, in commit order. */
  size: number;
  /** RFC 6962 root of their leaves (hex). */
  root: string;
  /** The hash chain's last link (hex). */
  chain: string;
  /** Global position of the last sealed event, in this ledger. */
  position: number;
  sealedAt: string;
}

export interface HeadSignature {
  algorithm: 'Ed25519';
  /** SHA-256 of the public key (DER, SubjectPublicKeyInfo), hex. */
  keyId: string;
  /** The public key, PEM (SubjectPublicKeyInfo). Pin it rather than trusting this copy. */
  publicKey: string;
  /** Base64 Ed25519 signature of the statement's RFC 8785 canonical JSON. */
  value: string;
}

export interface SignedLedgerHead extends LedgerHeadStatement {
  signature: HeadSignature | null;
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
