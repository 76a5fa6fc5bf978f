import type { z } from 'zod';
import { fieldErrorsFrom, type FieldError } from '@app/policy';
import { badRequest } from './problem';

/** Parses a request part with a zod schema; a failure is a 400 naming each field and rule. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, part: 'body' | 'query' | 'header'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw badRequest(`the request ${part} is invalid`, fieldErrors(result.error, part === 'body' ? undefined : part));
  }
  return result.data;
}

/**
 * zod reports unknown keys once, on the object that holds them (path '' for a top-level
 * `{"foo": 1}`); a client wants the path of the field it should not have sent, so each
 * unknown key becomes its own error at its own path.
 */
function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys') return fieldErrorsFrom({ issues: [issue] } as z.ZodError, prefix);
    return issue.keys.map((key) => ({
      path: [...(prefix ? [prefix] : []), ...issue.path.map(String), key].join('.'),
      message: 'is not a known field',
    }));
  });
}
