import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { DomainError, fieldErrorsFrom, type FieldError } from '@app/policy';
import { adapterFor, isSourceType, sourceConfig, type IngestionSettings } from './registry';
import { SOURCE_TYPES } from './source';

/** `type` for a source of one kind, `type:slug` for one of many (feed:nyc-mayor, legistar:chicago). */
export const sourceIdSchema = z
  .string('must be a string')
  .regex(/^[a-z][a-z-]*(:[a-z0-9][a-z0-9-]{0,62})?$/, 'must be a source type, or type:slug in lower case')
  .refine((id) => isSourceType(id.split(':')[0]), `must start with a source type: ${SOURCE_TYPES.join(', ')}`)
  .meta({ id: 'SourceId', examples: ['federal-register', 'feed:nyc-mayor', 'legistar:chicago'] });

/** A cron pattern of five fields, read in UTC. */
export const scheduleSchema = z
  .string('must be a string')
  .trim()
  .refine((pattern) => pattern.split(/\s+/).length === 5 && nextRunOf(pattern, new Date()) !== null, 'must be a cron pattern of five fields, e.g. "15 6 * * *"')
  .meta({ description: 'a cron pattern (minute hour day month weekday), in UTC' });

export const sourceTypeOf = (id: string) => id.split(':')[0];

/** When a cron pattern fires next after `from`; null for a pattern that cannot be read. */
export function nextRunOf(pattern: string, from: Date): Date | null {
  try {
    return CronExpressionParser.parse(pattern, { currentDate: from, tz: 'UTC' }).next().toDate();
  } catch {
    return null;
  }
}

/** Checks a source's configuration as its adapter will read it; a 400 naming `config.<field>` otherwise. */
export function checkSourceConfig(id: string, config: Record<string, unknown>, settings: IngestionSettings): void {
  const type = sourceTypeOf(id);
  const parsed = adapterFor(type).configSchema.safeParse(sourceConfig({ type, config }, settings));
  if (!parsed.success) throw invalidSource(fieldErrorsFrom(parsed.error, 'config'));
}

export function invalidSource(errors: FieldError[]): DomainError {
  return new DomainError('INGESTION.INVALID_SOURCE', 'the source is invalid', { errors });
}
