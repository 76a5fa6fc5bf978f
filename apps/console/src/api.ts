import { createApiClient, type ApiClient, type Schemas } from '@app/api-client';

export type { Schemas };
export type Problem = Schemas['Problem'];
export type Action = Schemas['ActionDetail'];
export type Role = 'analyst' | 'curator' | 'admin';

/** A problem+json answer, thrown so that queries and mutations fail with it. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
  get status() {
    return this.problem.status;
  }
}

export interface Session {
  key: string;
  role: Role;
  name: string | null;
}

// The key is kept for this tab only (sessionStorage): closing the tab signs out, and another
// tab or another person at the machine later does not inherit it.
const STORAGE = 'policy-ledger.session';

export function loadSession(): Session | null {
  try {
    const text = sessionStorage.getItem(STORAGE);
    return text ? (JSON.parse(text) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(STORAGE, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE);
}

let current: { key: string | null; client: ApiClient } | null = null;

/** The typed client for the signed-in key (recreated when the key changes). */
export function api(): ApiClient {
  const key = loadSession()?.key ?? null;
  if (!current || current.key !== key) current = { key, client: createApiClient(location.origin, key ? { apiKey: key } : {}) };
  return current.client;
}

/** A client for a key not yet signed in with (the sign-in check). */
export const apiWithKey = (key: string) => createApiClient(location.origin, { apiKey: key });

/**
 * The data of an answer, or its problem thrown as an ApiError. An answer that is not
 * problem+json (a proxy's 502 page) still becomes a problem, so every error shows the same way.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  // A request read as text (a timeline's SVG or CSV) gets its problem+json as text too.
  const parsed = typeof error === 'string' ? parseJson(error) : error;
  const problem = (parsed && typeof parsed === 'object' && 'status' in parsed ? parsed : null) as Problem | null;
  throw new ApiError(
    problem ?? {
      type: 'about:blank',
      title: response.statusText || 'Request failed',
      status: response.status,
      detail: typeof error === 'string' && error ? error.slice(0, 300) : `the API answered ${response.status}`,
      code: 'HTTP.' + response.status,
      errors: [],
      instance: response.url,
    },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Headers of a write. The Idempotency-Key is made once per curator intent and reused by a
 * retry, so a click whose answer was lost acts once; If-Match names the version the change is
 * based on, so a change made in between is a conflict, never overwritten.
 */
export function writeHeaders(idempotencyKey: string, version: number): { 'Idempotency-Key': string; 'If-Match': string };
export function writeHeaders(idempotencyKey: string): { 'Idempotency-Key': string };
export function writeHeaders(idempotencyKey: string, version?: number) {
  return version === undefined ? { 'Idempotency-Key': idempotencyKey } : { 'Idempotency-Key': idempotencyKey, 'If-Match': `"${version}"` };
}

const sentKeys = new Set<string>();

/** A new Idempotency-Key, remembered so this tab can tell its own events in the live feed. */
export function newKey(): string {
  const key = crypto.randomUUID();
  sentKeys.add(key);
  return key;
}

export const sentByThisTab = (idempotencyKey: unknown) => typeof idempotencyKey === 'string' && sentKeys.has(idempotencyKey);

/** An action as it stands now. */
export const fetchAction = (id: string) => unwrap(api().GET('/api/v1/actions/{id}', { params: { path: { id } } }));

/** Publishes a proposal at the version the curator saw. */
export const publishAction = (id: string, version: number, idempotencyKey: string) =>
  unwrap(api().POST('/api/v1/actions/{id}/publication', { params: { path: { id }, header: writeHeaders(idempotencyKey, version) }, body: {} }));

/** Whether a problem is the version conflict of an If-Match write. */
export const isConflict = (e: unknown): e is ApiError => e instanceof ApiError && e.problem.code === 'POLICY.VERSION_CONFLICT';

export const canWrite = (session: Session | null) => session?.role === 'curator' || session?.role === 'admin';
