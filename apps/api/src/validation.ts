import type { z } from 'zod';
import { fieldErrorsFrom } from '@app/policy';
import { badRequest } from './problem';

/** Parses a request part with a zod schema; a failure is a 400 naming each field and rule. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, part: 'body' | 'query' | 'header'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw badRequest(`the request ${part} is invalid`, fieldErrorsFrom(result.error, part === 'body' ? undefined : part));
  }
  return result.data;
}
