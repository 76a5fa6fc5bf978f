import { InvalidCheckpointError } from './event-store.errors';

/** A place in commit order: every event at or before (transactionId, position) has been read. */
export interface CommitPoint {
  transactionId: string;
  position: number;
}

export const START: CommitPoint = { transactionId: '0', position: 0 };

const XID8_MAX = 2n ** 64n - 1n;

/** Opaque to callers so the store can change what a checkpoint holds without breaking them. */
export function encodeCheckpoint(point: CommitPoint): string {
  return Buffer.from(`${point.transactionId}:${point.position}`).toString('base64url');
}

export function decodeCheckpoint(checkpoint: string | undefined): CommitPoint {
  if (checkpoint === undefined || checkpoint === '') return START;
  const match = /^(\d{1,20}):(\d{1,16})$/.exec(Buffer.from(checkpoint, 'base64url').toString());
  // In range, or Postgres would refuse it later with an input error instead of this one.
  if (!match || BigInt(match[1]) > XID8_MAX || !Number.isSafeInteger(Number(match[2]))) throw new InvalidCheckpointError(checkpoint);
  return { transactionId: match[1], position: Number(match[2]) };
}

export function compareCommitPoints(a: CommitPoint, b: CommitPoint): number {
  const ta = BigInt(a.transactionId);
  const tb = BigInt(b.transactionId);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.position - b.position;
}
