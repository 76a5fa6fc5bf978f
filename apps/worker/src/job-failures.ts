import { SourceFetchError } from '@app/ingestion';
import { DomainError } from '@app/policy';

/**
 * What a failed job should become:
 * - `permanent`: failed at once (BullMQ's UnrecoverableError), retrying cannot help;
 * - `later`: put back for later without spending an attempt (the source is held by another run);
 * - `retry`: an ordinary failure, retried with the job's backoff until its attempts run out.
 */
export type FailureKind = 'permanent' | 'later' | 'retry';

// A source that does not exist, is misconfigured, or whose cursor cannot be read stays so until
// an admin acts: each retry would fail the same way and only delay the failure being seen.
const PERMANENT_CODES: ReadonlySet<string> = new Set(['INGESTION.UNKNOWN_SOURCE', 'INGESTION.INVALID_SOURCE', 'INGESTION.BAD_CURSOR']);

export function failureKind(err: unknown): FailureKind {
  if (err instanceof SourceFetchError) return err.permanent ? 'permanent' : 'retry';
  if (err instanceof DomainError) {
    if (PERMANENT_CODES.has(err.code)) return 'permanent';
    if (err.code === 'INGESTION.SOURCE_BUSY') return 'later';
  }
  return 'retry';
}
