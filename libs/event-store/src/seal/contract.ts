import { z } from 'zod';

const hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits');

// One description of heads and proofs: the API's contract documents them, and `verify --proof`
// reads a saved proof back with them.

export const ledgerHeadSchema = z
  .strictObject({
    size: z.int().min(0).meta({ description: 'events sealed, in commit order' }),
    root: hash.meta({ description: 'RFC 6962 Merkle tree root of their leaves, hex' }),
    chain: hash.meta({ description: 'the hash chain over their leaves, last link, hex' }),
    position: z.int().min(0).meta({ description: "the last sealed event's global position in this ledger" }),
    sealedAt: z.string(),
    signature: z
      .strictObject({
        algorithm: z.literal('Ed25519'),
        keyId: z.string().meta({ description: "SHA-256 of the public key's DER (SubjectPublicKeyInfo), hex" }),
        publicKey: z.string().meta({ description: 'the public key, PEM; pin it rather than trusting this copy' }),
        value: z.string().meta({ description: 'base64 signature of the RFC 8785 canonical JSON of {size, root, chain, position, sealedAt}' }),
      })
      .nullable()
      .meta({ description: 'null when the ledger has no signing key (LEDGER_SIGNING_KEY)' }),
  })
  .meta({ id: 'LedgerHead', description: 'the latest seal of the ledger' });

export const eventProofSchema = z
  .strictObject({
    sealed: z.string().meta({
      description: "the event as sealed: its leaf is SHA-256(0x00 ‖ these bytes in UTF-8). PostgreSQL's jsonb text of {streamId, streamVersion, type, schemaVersion, data, metadata}",
    }),
    event: z
      .strictObject({
        streamId: z.string(),
        streamVersion: z.int().min(1),
        type: z.string(),
        schemaVersion: z.int().min(1),
        data: z.unknown(),
        metadata: z.record(z.string(), z.unknown()),
        position: z.int().min(1),
        recordedAt: z.string(),
      })
      .meta({ description: 'the sealed event, readable, with its position and the time this ledger recorded it (neither is sealed)' }),
    leafIndex: z.int().min(0).nullable().meta({ description: 'its place in the sealed order; null while it waits to be sealed' }),
    path: z.array(hash).meta({ description: 'RFC 6962 audit path from its leaf to the head root, hex, leaf first' }),
  })
  .meta({ id: 'EventProof' });

export const ledgerProofSchema = z
  .strictObject({ head: ledgerHeadSchema, events: z.array(eventProofSchema) })
  .meta({ id: 'LedgerProof', description: "inclusion proofs of an action's events against the ledger's head" });

// The types are the schemas' own, so code and contract cannot drift apart.
export type SignedLedgerHead = z.output<typeof ledgerHeadSchema>;
/** The statement a seal makes, and the one signed: the tree of the first `size` events. */
export type LedgerHeadStatement = Omit<SignedLedgerHead, 'signature'>;
export type LedgerProof = z.output<typeof ledgerProofSchema>;
