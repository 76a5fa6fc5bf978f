/** What a source's HTTP client does, per source: the pipeline makes one client per run. */
export interface HttpClientOptions {
  /** Names the source in errors. */
  sourceId: string;
  /** Per request. Defaults to 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt, for 429, 5xx and network failures. Defaults to 4. */
  maxRetries?: number;
  /** A Retry-After longer than this fails the run (to be rescheduled) rather than holding a worker. Defaults to 120 s. */
  maxWaitMs?: number;
  /** The source's rate limit: at least this long between two requests' starts. Defaults to 0. */
  minIntervalMs?: number;
  /** Sent with every request (a CourtListener token). */
  headers?: Record<string, string>;
  /** Injected so tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

/** What an earlier answer to the same URL said, for a conditional request. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface HttpResult {
  url: string;
  status: number;
  /** A 304: the resource is as the validators knew it, and `text` is empty. */
  notModified: boolean;
  headers: Headers;
  text: string;
  /** To send next time: this answer's, or the ones sent when a 304 carried none. */
  validators: Validators;
}

export type SourceFetchErrorCode = 'SOURCE.HTTP_ERROR' | 'SOURCE.UNAVAILABLE' | 'SOURCE.BAD_RESPONSE';

export class SourceFetchError extends Error {
  constructor(
    readonly code: SourceFetchErrorCode | `${string}.${string}`,
    message: string,
    /** A retry later cannot help (a 4xx, an answer not in the source's format). */
    readonly permanent: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SourceFetchError';
  }
}

const DEFAULTS = { timeoutMs: 30_000, maxRetries: 4, maxWaitMs: 120_000, minIntervalMs: 0 };
const BACKOFF_BASE_MS = 500;

/**
 * GET with what a polite, robust client of a public API needs: a timeout per request, a minimum
 * interval between requests (the source's rate limit), conditional requests, and retries with
 * exponential backoff for network failures, 429 and 5xx — honouring Retry-After on 429 and 503.
 * A 4xx other than 429 is permanent and not retried.
 */
export class HttpClient {
  private readonly options: Required<Omit<HttpClientOptions, 'headers'>> & { headers: Record<string, string> };
  private nextStart = 0;

  constructor(options: HttpClientOptions) {
    this.options = {
      ...DEFAULTS,
      sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      now: () => new Date(),
      headers: {},
      ...definedOnly(options),
      sourceId: options.sourceId,
    };
  }

  async get(url: string, request: { accept?: string; validators?: Validators } = {}): Promise<HttpResult> {
    const { timeoutMs, maxRetries, maxWaitMs, sleep, now, sourceId } = this.options;
    const headers: Record<string, string> = { accept: request.accept ?? 'application/json', ...this.options.headers };
    const sent = request.validators ?? {};
    if (sent.etag) headers['if-none-match'] = sent.etag;
    if (sent.lastModified) headers['if-modified-since'] = sent.lastModified;

    for (let attempt = 0; ; attempt++) {
      const backoff = BACKOFF_BASE_MS * 2 ** attempt;
      await this.waitForTurn();
      let response: Response;
      try {
        response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        if (attempt >= maxRetries) {
          throw new SourceFetchError('SOURCE.UNAVAILABLE', `${sourceId}: ${url}: ${String(error)}`, false, undefined, { cause: error });
        }
        await sleep(backoff);
        continue;
      }
      const status = response.status;
      if (response.ok || status === 304) {
        const text = status === 304 ? '' : await response.text();
        if (status === 304) await response.body?.cancel();
        // A 304 may leave its validators out (they are unchanged); a 200 without them has none.
        const validators = {
          etag: response.headers.get('etag') ?? (status === 304 ? sent.etag : undefined),
          lastModified: response.headers.get('last-modified') ?? (status === 304 ? sent.lastModified : undefined),
        };
        return { url, status, notModified: status === 304, headers: response.headers, text, validators: definedOnly(validators) };
      }
      await response.body?.cancel();
      if (status !== 429 && status < 500) {
        throw new SourceFetchError('SOURCE.HTTP_ERROR', `${sourceId}: ${url}: HTTP ${status}`, true, status);
      }
      const asked = status === 429 || status === 503 ? retryAfterMs(response.headers.get('retry-after'), now()) : undefined;
      const wait = asked ?? backoff;
      if (attempt >= maxRetries || wait > maxWaitMs) {
        throw new SourceFetchError('SOURCE.UNAVAILABLE', `${sourceId}: ${url}: HTTP ${status} after ${attempt + 1} attempts`, false, status);
      }
      await sleep(wait);
    }
  }

  /** GET and parse JSON; a body that is not JSON is a permanent error (the source changed its format). */
  async getJson(url: string, request: { validators?: Validators } = {}): Promise<HttpResult & { body: unknown }> {
    const result = await this.get(url, { accept: 'application/json', ...request });
    if (result.notModified) return { ...result, body: undefined };
    try {
      return { ...result, body: JSON.parse(result.text) };
    } catch (error) {
      throw new SourceFetchError('SOURCE.BAD_RESPONSE', `${this.options.sourceId}: ${url}: body is not JSON`, true, result.status, { cause: error });
    }
  }

  private async waitForTurn(): Promise<void> {
    const { minIntervalMs, sleep, now } = this.options;
    if (minIntervalMs <= 0) return;
    const at = now().getTime();
    const wait = this.nextStart - at;
    this.nextStart = Math.max(at, this.nextStart) + minIntervalMs;
    if (wait > 0) await sleep(wait);
  }
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
