import { Client } from 'pg';

// What both benchmarks (store-bench.ts, api-bench.ts) measure with and connect through.

/** Log-bucketed latency histogram (1 % resolution, 1 µs .. hours) in a few KB. */
export class Histogram {
  private static readonly LOG_RATIO = Math.log(1.01);
  private readonly counts = new Uint32Array(3000);
  count = 0;

  record(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const i = Math.min(this.counts.length - 1, Math.floor(Math.log(us) / Histogram.LOG_RATIO));
    this.counts[i]++;
    this.count++;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
  }

  /** Upper bound of the bucket holding the p-th quantile, in ms (so within +1 %). */
  quantile(p: number): number {
    if (this.count === 0) return NaN;
    const target = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= target) return Math.exp((i + 1) * Histogram.LOG_RATIO) / 1000;
    }
    return NaN;
  }
}

/** The same server, another database. */
export function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One short-lived admin connection (create/drop the scratch database, CHECKPOINT, settings). */
export async function admin<T>(serverUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl, application_name: 'pl-bench-admin' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Rows (the first is the header) as aligned columns with a rule under the header, framed by
 * blank lines; `leftAligned(i)` says which columns are text, the rest are right-aligned numbers.
 */
export function formatTable(lines: string[][], leftAligned: (column: number) => boolean): string {
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const out = lines.map((l) => l.map((cell, i) => (leftAligned(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return `\n${out.join('\n')}\n`;
}
