import type { z } from 'zod';

/**
 * How the edge should treat a code: 'validation' → 400, 'conflict' → 409, 'not_found' → 404
 * when the URL names the missing thing, 422 when a field of the body does (the error has `errors`).
 */
export type DomainErrorKind = 'validation' | 'not_found' | 'conflict';

/** Every stable code of the policy context (and of ingestion, which enters through it) and its kind. Codes are part of the API: never rename. */
export const DOMAIN_ERROR_KINDS = {
  'JURISDICTION.INVALID_ID': 'validation',
  'JURISDICTION.INVALID': 'validation',
  'JURISDICTION.INVALID_PARENT': 'validation',
  'JURISDICTION.ALREADY_EXISTS': 'conflict',
  'JURISDICTION.UNKNOWN': 'not_found',
  'ACTION.INVALID': 'validation',
  'ACTION.UNKNOWN': 'not_found',
  'ACTION.ALREADY_EXISTS': 'conflict',
  'ACTION.NOT_PROPOSED': 'conflict',
  'ACTION.NOT_PUBLISHED': 'conflict',
  'ACTION.NOT_CORRECTABLE': 'conflict',
  'ACTION.ALREADY_RETRACTED': 'conflict',
  'ACTION.NO_CHANGE': 'conflict',
  'ACTION.NO_SUGGESTION': 'conflict',
  'ACTION.DUPLICATE_LINK': 'conflict',
  'ACTION.SELF_LINK': 'validation',
  'ACTION.DUPLICATE_SOURCE': 'conflict',
  'ACTION.SELF_MERGE': 'validation',
  'ACTION.NOT_MERGEABLE': 'conflict',
  'ACTION.MERGE_KIND_MISMATCH': 'conflict',
  // A page's cursor that is not one this endpoint handed out (timeline, actions, search, compare).
  'QUERY.INVALID_CURSOR': 'validation',
  // Raised by handlers when the store rejects an append's expected version; defined here so
  // every policy code lives in one table.
  'POLICY.VERSION_CONFLICT': 'conflict',
  // Ingestion's codes: its sources, runs and parked items.
  'INGESTION.INVALID_SOURCE': 'validation',
  'INGESTION.INVALID_QUERY': 'validation',
  'INGESTION.UNKNOWN_SOURCE': 'not_found',
  'INGESTION.SOURCE_EXISTS': 'conflict',
  'INGESTION.SOURCE_BUSY': 'conflict',
  'INGESTION.BAD_CURSOR': 'conflict',
  'INGESTION.UNKNOWN_PARKED': 'not_found',
  'INGESTION.NOT_PARKED': 'conflict',
  'INGESTION.STILL_UNREADABLE': 'conflict',
  'INGESTION.UNKNOWN_WEBHOOK': 'not_found',
} as const satisfies Record<string, DomainErrorKind>;

export type DomainErrorCode = keyof typeof DOMAIN_ERROR_KINDS;

/** One problem with one input field; `path` is dotted (`content.sources.0.url`). */
export interface FieldError {
  path: string;
  message: string;
}

/** A broken business rule. Shared code throws this, never an HTTP exception. */
export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly errors?: FieldError[];
  readonly details?: Record<string, unknown>;

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    options: { errors?: FieldError[]; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'DomainError';
    this.kind = DOMAIN_ERROR_KINDS[code];
    if (options.errors) this.errors = options.errors;
    if (options.details) this.details = options.details;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/**
 * Flattens zod issues into field errors, prefixing each path (e.g. with 'content'). zod
 * reports unknown keys once, on the object that holds them; a client wants the path of the
 * field it should not have sent, so each unknown key becomes its own error at its own path.
 */
export function fieldErrorsFrom(error: z.ZodError, prefix?: string): FieldError[] {
  const at = (path: readonly PropertyKey[]) => [...(prefix ? [prefix] : []), ...path.map(String)].join('.');
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: at([...issue.path, key]), message: 'is not a known field' }))
      : [{ path: at(issue.path), message: issue.message }],
  );
}
