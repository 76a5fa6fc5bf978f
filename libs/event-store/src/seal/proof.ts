import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { LedgerProof } from './ledger-seal';
import { rootFromInclusion } from './merkle';
import { checkHeadSignature, eventLeaf } from './sealed-event';

const hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits');

/** A proof as the API gives it, read back from a file: checked for shape before anything else. */
export const ledgerProofSchema = z.object({
  head: z.object({
    size: z.number().int().min(0),
    root: hash,
    chain: hash,
    position: z.number().int().min(0),
    sealedAt: z.string(),
    signature: z
      .object({ algorithm: z.literal('Ed25519'), keyId: z.string(), publicKey: z.string(), value: z.string() })
      .nullable(),
  }),
  events: z.array(
    z.object({
      event: z.object({
        streamId: z.string(),
        streamVersion: z.number().int(),
        type: z.string(),
        schemaVersion: z.number().int(),
        data: z.unknown(),
        metadata: z.record(z.string(), z.unknown()),
        position: z.number().int(),
        recordedAt: z.string(),
      }),
      leafIndex: z.number().int().min(0).nullable(),
      path: z.array(hash),
    }),
  ),
});

export interface ProofCheck {
  ok: boolean;
  signature: { ok: true; keyId: string; pinned: boolean } | { ok: false; reason: string };
  events: { position: number; streamId: string; streamVersion: number; ok: boolean; reason?: string }[];
}

/**
 * Checks a proof with nothing but the proof (and, best, a key the reader pinned): each
 * event's leaf is recomputed from the content the proof shows and walked up its audit path;
 * it holds only if that lands on the head's root, and the head is only worth as much as its
 * signature. An unsigned head makes the check fail unless the caller accepts unsigned heads.
 */
export function checkProof(proof: LedgerProof, options: { publicKey?: KeyObject; allowUnsigned?: boolean } = {}): ProofCheck {
  const signature = checkHeadSignature(proof.head, options.publicKey);
  const root = Buffer.from(proof.head.root, 'hex');
  const events = proof.events.map(({ event, leafIndex, path }) => {
    const where = { position: event.position, streamId: event.streamId, streamVersion: event.streamVersion };
    if (leafIndex === null) return { ...where, ok: false, reason: 'not sealed yet: ask again shortly' };
    const reached = rootFromInclusion(eventLeaf(event), leafIndex, proof.head.size, path.map((h) => Buffer.from(h, 'hex')));
    if (!reached) return { ...where, ok: false, reason: `the path does not fit leaf ${leafIndex} of a ${proof.head.size}-leaf tree` };
    if (!reached.equals(root)) return { ...where, ok: false, reason: `its content and path lead to ${reached.toString('hex').slice(0, 16)}…, not the head's root` };
    return { ...where, ok: true };
  });
  const signed = signature.ok || (options.allowUnsigned === true && proof.head.signature === null);
  return { ok: signed && events.length > 0 && events.every((e) => e.ok), signature, events };
}
