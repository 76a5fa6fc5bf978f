import { ADMIN_KEY, actionBody, sleep } from '../support/api-harness';
import { checkReplyAgainstContract } from '../support/openapi-check';

// Clients as a careful integration would write them: each request carries an Idempotency-Key
// of its own, and on a network error or a 5xx the same request is sent again with the same key
// (bounded backoff) until the API acknowledges it. Anything else (a 4xx) is not retried: it
// means the ledger refused a request it should have taken, and the suite fails on it.

/** An answer worth retrying: the server was unreachable, or said the failure was its own. */
const retryable = (status: number) => status >= 500;

export interface Attempts {
  /** Tries in all, the first ones included. */
  attempts: number;
  /** Tries that ended in a network error (refused, reset, timed out). */
  networkErrors: number;
  /** Tries answered with a 5xx, by status. */
  serverErrors: Record<number, number>;
}

export interface Sent<T> extends Attempts {
  status: number;
  body: T;
}

/**
 * Sends one request until it is answered with something other than a 5xx, the same request
 * every time; throws past `deadline` (epoch ms). 2xx answers are checked against the contract.
 */
export async function sendUntilAnswered<T>(
  baseUrl: () => string,
  method: string,
  path: string,
  options: {
    body?: unknown;
    headers?: Record<string, string>;
    deadline: number;
    /** Sent as X-Request-Id `<requestId>.<try>`: the events the request appends name the try that appended them. */
    requestId?: string;
  },
): Promise<Sent<T>> {
  const tally: Attempts = { attempts: 0, networkErrors: 0, serverErrors: {} };
  let delay = 50;
  for (;;) {
    tally.attempts++;
    let last: string;
    let answer: { status: number; headers: Record<string, string>; text: string } | undefined;
    try {
      const res = await fetch(`${baseUrl()}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
          ...(options.requestId ? { 'x-request-id': `${options.requestId}.${tally.attempts}` } : {}),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        // Longer than any answer takes with the database up; a request stuck behind an outage is sent again.
        signal: AbortSignal.timeout(15_000),
      });
      answer = { status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() };
    } catch (err) {
      tally.networkErrors++;
      last = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    if (answer) {
      // Successes and 5xx alike must be what the contract lists: a 503 DATABASE.UNAVAILABLE
      // with Retry-After while the database is away, never a bare 500.
      if (answer.status < 300 || retryable(answer.status)) checkReplyAgainstContract(method, path, answer);
      if (!retryable(answer.status)) return { ...tally, status: answer.status, body: (answer.text ? JSON.parse(answer.text) : undefined) as T };
      tally.serverErrors[answer.status] = (tally.serverErrors[answer.status] ?? 0) + 1;
      last = `${answer.status} ${answer.text.slice(0, 300)}`;
    }
    if (Date.now() > options.deadline) throw new Error(`${method} ${path}: still failing after ${tally.attempts} tries (last: ${last!})`);
    await sleep(delay);
    delay = Math.min(delay * 2, 1_000);
  }
}

/** A create the API acknowledged (201). */
export interface Acknowledged {
  key: string;
  id: string;
  jurisdictionId: string;
  /** The try that was answered 201 (1: the first). */
  answeredTry: number;
}

export interface WriteLoad {
  /** Requests made (each with a key of its own), retries not counted. */
  requests: number;
  /** Tries beyond each request's first. */
  retries: number;
  networkErrors: number;
  serverErrors: Record<number, number>;
  acknowledged: Acknowledged[];
  /** Requests answered with a 4xx: none is expected. */
  refused: { key: string; status: number; body: unknown }[];
}

/** The title of the action a request with this key creates: how the ledger's rows are found again. */
export const titleOf = (key: string) => `Fault suite action ${key}`;

/**
 * `clients` writers, each creating actions on its own jurisdiction one after another (a
 * `pauseMs` pause between two) until `stop` is called; `stop` lets each finish the request it
 * is sending (retrying it until answered) and answers what they did.
 */
export function startWriters(options: {
  baseUrl: () => string;
  /** Unique per run and scenario: the keys are `<tag>-c<client>-<n>`. */
  tag: string;
  jurisdictions: readonly string[];
  pauseMs: number;
}): { stop(): Promise<WriteLoad> } {
  const load: WriteLoad = { requests: 0, retries: 0, networkErrors: 0, serverErrors: {}, acknowledged: [], refused: [] };
  let stopping = false;
  const clients = options.jurisdictions.map(async (jurisdictionId, c) => {
    for (let n = 1; !stopping; n++) {
      const key = `${options.tag}-c${c}-${n}`;
      load.requests++;
      const body = actionBody({ title: titleOf(key), actingJurisdictionId: jurisdictionId, affectedJurisdictionIds: [jurisdictionId] });
      // Two minutes is far longer than any fault here lasts; a request still failing then is a finding.
      const sent = await sendUntilAnswered<{ id: string }>(options.baseUrl, 'POST', '/api/v1/actions', {
        body,
        headers: { 'idempotency-key': key },
        deadline: Date.now() + 120_000,
        requestId: key,
      });
      load.retries += sent.attempts - 1;
      load.networkErrors += sent.networkErrors;
      for (const [status, n] of Object.entries(sent.serverErrors)) load.serverErrors[Number(status)] = (load.serverErrors[Number(status)] ?? 0) + n;
      if (sent.status === 201) load.acknowledged.push({ key, id: sent.body.id, jurisdictionId, answeredTry: sent.attempts });
      else load.refused.push({ key, status: sent.status, body: sent.body });
      await sleep(options.pauseMs);
    }
  });
  return {
    async stop() {
      stopping = true;
      await Promise.all(clients);
      return load;
    },
  };
}
