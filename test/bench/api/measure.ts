import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Histogram } from '../common';

export interface LoopResult {
  /** Operations completed inside the measured window, per second. */
  rate: number;
  ops: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  hist: Histogram;
}

/**
 * A closed loop: `concurrency` workers call `op` back to back for a warm-up, then for a
 * measured window. An operation counts (rate and latency) only if it ends inside the window.
 */
export async function closedLoop(
  concurrency: number,
  warmupMs: number,
  durationMs: number,
  op: (worker: number) => Promise<void>,
  hooks: { windowStart?: () => Promise<unknown>; windowEnd?: () => Promise<unknown> } = {},
): Promise<LoopResult> {
  const hist = new Histogram();
  const start = performance.now() + warmupMs;
  const end = start + durationMs;
  // Samples (CPU use) taken at the edges of the measured window, while the workers run.
  const edges: Promise<unknown>[] = [];
  const fired = [false, false];
  const edge = (i: number) => {
    if (fired[i]) return;
    fired[i] = true;
    const hook = i === 0 ? hooks.windowStart : hooks.windowEnd;
    if (hook) edges.push(hook());
  };
  const timers = [setTimeout(() => edge(0), warmupMs), setTimeout(() => edge(1), warmupMs + durationMs)];
  let ops = 0;
  let max = 0;
  const worker = async (w: number) => {
    while (performance.now() < end) {
      const a = performance.now();
      await op(w);
      const b = performance.now();
      if (b >= start && b < end) {
        ops++;
        hist.record(b - a);
        if (b - a > max) max = b - a;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  } finally {
    for (const t of timers) clearTimeout(t);
    edge(0);
    edge(1);
  }
  await Promise.all(edges);
  const seconds = durationMs / 1000;
  return { rate: ops / seconds, ops, seconds, p50: hist.quantile(0.5), p99: hist.quantile(0.99), max, hist };
}

/** Several windows of one side as one: ops and seconds add up, latencies pool. */
export function combine(parts: LoopResult[]): LoopResult {
  const hist = new Histogram();
  for (const p of parts) hist.merge(p.hist);
  const ops = parts.reduce((a, p) => a + p.ops, 0);
  const seconds = parts.reduce((a, p) => a + p.seconds, 0);
  return { rate: ops / seconds, ops, seconds, p50: hist.quantile(0.5), p99: hist.quantile(0.99), max: Math.max(...parts.map((p) => p.max)), hist };
}

export interface HttpReply {
  status: number;
  body: Buffer;
  /** The API's X-Cache header: hit or miss on a cached read, absent elsewhere. */
  cache?: string;
}

/** A minimal keep-alive HTTP/1.1 client on node:http: one Agent, at most `maxSockets` sockets. */
export class HttpClient {
  readonly agent: Agent;

  constructor(
    private readonly host: string,
    private readonly port: number,
    maxSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: body === undefined ? headers : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const cache = res.headers['x-cache'];
            resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), cache: typeof cache === 'string' ? cache : undefined });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Seeded PRNG (mulberry32): the same dataset on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fmt(n: number | undefined | null, digits = 0): string {
  if (n === undefined || n === null || Number.isNaN(n)) return '';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
