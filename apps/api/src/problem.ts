import type { FieldError } from '@app/policy';

/** An error the HTTP edge itself raises (bad query string, missing If-Match, auth). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly errors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string, errors: FieldError[]) =>
  new HttpProblem(400, 'REQUEST.INVALID', 'Invalid request', detail, errors);
