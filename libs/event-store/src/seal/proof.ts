import type { KeyObject } from 'node:crypto';
import type { LedgerProof } from './contract';
import { rootFromInclusion } from './merkle';
import { canonicalJson } from '../request-hash';
import { checkHeadSignature, contentOf, sealedLeaf, type SealedContent } from './sealed-event';

export interface ProofCheck {
  ok: boolean;
  signature: { ok: true; keyId: string; pinned: boolean } | { ok: false; reason: string };
  events: { position: number; streamId: string; streamVersion: number; ok: boolean; reason?: string }[];
}

/**
 * Checks a proof with nothing but the proof (and, best, a key the reader pinned): each
 * event's leaf is recomputed from its sealed bytes (which must say what the readable event
 * says) and walked up its audit path;
 * it holds only if that lands on the head's root, and the head is only worth as much as its
 * signature. An unsigned head makes the check fail unless the caller accepts unsigned heads.
 */
export function checkProof(proof: LedgerProof, options: { publicKey?: KeyObject; allowUnsigned?: boolean } = {}): ProofCheck {
  const signature = checkHeadSignature(proof.head, options.publicKey);
  const root = Buffer.from(proof.head.root, 'hex');
  const events = proof.events.map(({ sealed, event, leafIndex, path }) => {
    const where = { position: event.position, streamId: event.streamId, streamVersion: event.streamVersion };
    if (leafIndex === null) return { ...where, ok: false, reason: 'not sealed yet: ask again shortly' };
    if (!showsSealed(sealed, event)) return { ...where, ok: false, reason: 'the event shown is not the one in its sealed text' };
    const reached = rootFromInclusion(sealedLeaf(sealed), leafIndex, proof.head.size, path.map((h) => Buffer.from(h, 'hex')));
    if (!reached) return { ...where, ok: false, reason: `the path does not fit leaf ${leafIndex} of a ${proof.head.size}-leaf tree` };
    if (!reached.equals(root)) return { ...where, ok: false, reason: `its content and path lead to ${reached.toString('hex').slice(0, 16)}…, not the head's root` };
    return { ...where, ok: true };
  });
  // A proof is of one stream, every version from the first: one left out would not show.
  const versions = proof.events.map((e) => e.event.streamVersion);
  const streams = new Set(proof.events.map((e) => e.event.streamId));
  if (streams.size > 1 || versions.some((v, i) => v !== i + 1)) {
    const reason = `the proof is not of one stream's versions 1 to ${versions.length} in order`;
    return { ok: false, signature, events: events.map((e) => ({ ...e, ok: false, reason: 'reason' in e ? e.reason : reason })) };
  }
  const signed = signature.ok || (options.allowUnsigned === true && proof.head.signature === null);
  return { ok: signed && events.length > 0 && events.every((e) => e.ok), signature, events };
}

/** Whether the readable event says what the sealed bytes say (so a reader is not shown another). */
function showsSealed(sealed: string, event: SealedContent): boolean {
  try {
    return canonicalJson(contentOf(JSON.parse(sealed) as SealedContent)) === canonicalJson(contentOf(event));
  } catch {
    return false;
  }
}
