import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { DomainError, fieldErrorsFrom, type FieldError } from '@app/policy';
import { adapterFor, isSourceType, sourceConfig, type IngestionSettings } from './registry';
import type { SourceRepository, StoredSource } from '../repositories/source.repository';
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

/**
 * A source's configuration as its adapter reads it (the environment's base URL and token under
 * what the source stores); a 400 naming `config.<field>` when the adapter refuses it.
 */
export function configOf(source: { type: string; config: Record<string, unknown> }, settings: IngestionSettings): unknown {
  const parsed = adapterFor(source.type).configSchema.safeParse(sourceConfig(source, settings));
  if (!parsed.success) throw invalidSource(fieldErrorsFrom(parsed.error, 'config'));
  return parsed.data;
}

/** Checks the configuration of a source with this id, as its adapter will read it. */
export function checkSourceConfig(id: string, config: Record<string, unknown>, settings: IngestionSettings): void {
  configOf({ type: sourceTypeOf(id), config }, settings);
}

export function invalidSource(errors: FieldError[]): DomainError {
  return new DomainError('INGESTION.INVALID_SOURCE', 'the source is invalid', { errors });
}

/** The source, or a 404 naming it. */
export async function existingSource(sources: SourceRepository, sourceId: string): Promise<StoredSource> {
  const source = await sources.find(sourceId);
  if (!source) throw new DomainError('INGESTION.UNKNOWN_SOURCE', `no source ${sourceId}`, { details: { sourceId } });
  return source;
}
