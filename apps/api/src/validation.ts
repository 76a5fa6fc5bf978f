import { z } from 'zod';
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

/** A query parameter listing enum values, comma-separated (`kind=executive_order,grant_condition`). */
export function commaList<T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z
    .string()
    .meta({ description: `${what}, comma-separated: any of ${values.join(', ')}` })
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values, { error: `must be a comma-separated list of ${values.join(', ')}` })));
}

/** The `limit` query parameter of a paged list: a whole number from 1 to `max`. */
export function pageLimit(max: number, description: string) {
  return z.coerce
    .number('must be a number')
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`)
    .optional()
    .meta({ description });
}

/** A query whose `from` (first day) may not come after its `to` (last day), both parsed by partialDate. */
export function dateRange<S extends z.ZodType<{ from?: string; to?: string }>>(schema: S) {
  return schema.superRefine((p, ctx) => {
    if (p.from && p.to && p.from > p.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
  });
}
