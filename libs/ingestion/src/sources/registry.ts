import type { HttpClientOptions } from '../http/http-client';
import { courtListenerSource } from './courtlistener/courtlistener.source';
import { dojPressSource } from './doj-press/doj-press.source';
import { federalRegisterSource } from './federal-register/federal-register.source';
import { feedSource } from './feed/feed.source';
import { legistarSource } from './legistar/legistar.source';
import { SOURCE_TYPES, type SourceAdapter, type SourceType } from './source';

/** What the environment says about sources: base URLs (so tests and mirrors can point elsewhere) and secrets. */
export interface IngestionSettings {
  baseUrls: Partial<Record<SourceType, string>>;
  courtListenerToken?: string;
  /** The secret path segment CourtListener posts webhook deliveries to; no webhooks without it. */
  courtListenerWebhookSecret?: string;
  /** How long a run holds its source without renewing (at every page); 5 minutes by default. */
  leaseMs?: number;
  /** Overrides for every run's HTTP client (tests inject a sleep that does not wait). */
  http?: Partial<Omit<HttpClientOptions, 'sourceId'>>;
}

const ADAPTERS = {
  'federal-register': federalRegisterSource,
  'doj-press': dojPressSource,
  courtlistener: courtListenerSource,
  feed: feedSource,
  legistar: legistarSource,
} satisfies Record<SourceType, unknown>;

/**
 * Each source type's rate limit: the least time between two requests. Set from the published
 * limits where there are some (CourtListener: 5,000 requests an hour for a token) and from
 * politeness where there are none.
 */
export const MIN_INTERVAL_MS: Record<SourceType, number> = {
  'federal-register': 250,
  'doj-press': 500,
  courtlistener: 750,
  feed: 1000,
  legistar: 250,
};

export function isSourceType(type: string): type is SourceType {
  return (SOURCE_TYPES as readonly string[]).includes(type);
}

/** The adapter of a source type; the type was checked when the source was added. */
export function adapterFor(type: string): SourceAdapter {
  if (!isSourceType(type)) throw new RangeError(`unknown source type ${type}`);
  return ADAPTERS[type] as unknown as SourceAdapter;
}

/**
 * A source's configuration as its adapter reads it: the environment's base URL and secrets
 * under what the source stores (a source may name its own base URL, e.g. a mirror).
 */
export function sourceConfig(
  source: { type: string; config: Record<string, unknown> },
  settings: IngestionSettings,
): Record<string, unknown> {
  const type = source.type as SourceType;
  const fromEnv: Record<string, unknown> = {};
  if (settings.baseUrls[type] && type !== 'feed') fromEnv.baseUrl = settings.baseUrls[type];
  if (type === 'courtlistener' && settings.courtListenerToken) fromEnv.token = settings.courtListenerToken;
  return { ...fromEnv, ...source.config };
}
