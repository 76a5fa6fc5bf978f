import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema';

// The typed client of the Policy Ledger API. schema.ts is generated from docs/openapi.json by
// `npm run openapi` (openapi-typescript): never edit it by hand.

export type { components, operations, paths } from './schema';

/** The document's named schemas: `Schemas['ActionDetail']`, `Schemas['Problem']`, … */
export type Schemas = components['schemas'];

/**
 * Answers are typed in their JSON forms (application/json, and application/problem+json for
 * errors); the timeline's CSV and SVG forms are for links and downloads.
 */
export type JsonMedia = 'application/json' | 'application/problem+json';

export type ApiClient = Client<paths, JsonMedia>;

export interface ApiClientOptions {
  /** Sent as `Authorization: Bearer <key>` (writes need a curator key, /api/v1/keys an admin one). */
  apiKey?: string;
  /** Headers for every request (X-Correlation-Id, …). */
  headers?: Record<string, string>;
  /** Another fetch (tests, instrumentation); the global one otherwise. */
  fetch?: ClientOptions['fetch'];
}

/**
 * A client whose paths, parameters, bodies and answers (problems included) are typed from the
 * API's OpenAPI document, e.g. `client.GET('/api/v1/jurisdictions/{id}/timeline', { params: { path: { id } } })`.
 */
export function createApiClient(baseUrl: string, options: ApiClientOptions = {}): ApiClient {
  const headers = { ...options.headers, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) };
  return createClient<paths, JsonMedia>({ baseUrl, headers, ...(options.fetch ? { fetch: options.fetch } : {}) });
}
