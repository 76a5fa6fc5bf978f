import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for a remote HTTP source: routes matched by path and query, each answering
// from a script of responses, and every request recorded so a test can assert what was asked.

export interface ReplayResponse {
  status: number;
  headers?: Record<string, string>;
  /** An object or array is sent as JSON; a string as it is; nothing for no body (304). */
  body?: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** Computes a response from the request, for answers that depend on it (a 304 on a matching ETag). */
export type Responder = (request: RecordedRequest) => ReplayResponse;

export interface ReplayRoute {
  path: string;
  /** Parameters the request must carry, each with exactly these values (others are ignored). */
  query?: Record<string, string | readonly string[]>;
  /** Played in order, one per matching request; the last one repeats. */
  responses: readonly (ReplayResponse | Responder)[];
}

export interface ReplayServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 on a free port; the first route that matches answers. */
export async function startReplayServer(routes: readonly ReplayRoute[]): Promise<ReplayServer> {
  const played = new Map<ReplayRoute, number>();
  const requests: RecordedRequest[] = [];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(request);

    const route = routes.find((r) => r.path === url.pathname && queryMatches(url.searchParams, r.query));
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 404, message: `no replay route for ${url.pathname}${url.search}` }));
      return;
    }
    const index = played.get(route) ?? 0;
    played.set(route, index + 1);
    const next = route.responses[Math.min(index, route.responses.length - 1)];
    const response = typeof next === 'function' ? next(request) : next;

    const json = response.body !== undefined && typeof response.body !== 'string';
    res.writeHead(response.status, { ...(json ? { 'content-type': 'application/json' } : {}), ...response.headers });
    res.end(response.body === undefined ? undefined : json ? JSON.stringify(response.body) : (response.body as string));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A JSON 200, optionally with headers (ETag, Last-Modified). */
export const ok = (body: unknown, headers?: Record<string, string>): ReplayResponse => ({ status: 200, body, headers });

/** 304 when the request's If-None-Match names `etag`, otherwise `response` with that ETag. */
export const conditional =
  (etag: string, response: ReplayResponse): Responder =>
  (request) =>
    request.headers['if-none-match'] === etag
      ? { status: 304, headers: { etag } }
      : { ...response, headers: { ...response.headers, etag } };

function queryMatches(actual: URLSearchParams, expected: ReplayRoute['query']): boolean {
  return Object.entries(expected ?? {}).every(([key, value]) => {
    const want = typeof value === 'string' ? [value] : [...value];
    const got = actual.getAll(key);
    return got.length === want.length && [...got].sort().join('\n') === [...want].sort().join('\n');
  });
}
