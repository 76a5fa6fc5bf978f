import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import QueryStream from 'pg-query-stream';

// The whole-ledger export (GET /api/v1/actions/export, NDJSON) read over HTTP as fast as the
// client can take it, with the API process's resident memory sampled throughout: streamed, it
// must stay near where it was before the export, whatever the ledger's size. Beside it, the
// same rows read through a raw pg-query-stream cursor and serialised as the API does, in this
// process: what reading them costs without HTTP, Nest or batching.

/** Resident set size of a process, in MiB (VmRSS); undefined if it is gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; the peak and the samples taken. */
function rssSampler(pid: number, everyMs = 20) {
  let peak = rssMiB(pid) ?? 0;
  let samples = 0;
  const timer = setInterval(() => {
    const v = rssMiB(pid);
    samples++;
    if (v !== undefined && v > peak) peak = v;
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return { peak, samples };
    },
  };
}

export interface ExportFigures {
  rows: number;
  bytes: number;
  seconds: number;
  rate: number;
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  rssSamples: number;
  raw: { rows: number; bytes: number; seconds: number; rate: number; rssBefore: number; rssPeak: number };
}

/** Reads the export over HTTP, counting lines and bytes without keeping them. */
function readExport(port: number, path: string): Promise<{ rows: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`${path}: ${res.statusCode}`));
        res.resume();
        return;
      }
      let rows = 0;
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
      });
      res.on('end', () => resolve({ rows, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function exportScenario(o: { port: number; apiPid: number; url: string }): Promise<ExportFigures> {
  // A short quiet moment, so "before" is the API at rest after the earlier scenarios.
  await new Promise((r) => setTimeout(r, 1000));
  const rssBefore = rssMiB(o.apiPid) ?? 0;
  const sampler = rssSampler(o.apiPid);
  const t0 = performance.now();
  const { rows, bytes } = await readExport(o.port, '/api/v1/actions/export?format=ndjson');
  const seconds = (performance.now() - t0) / 1000;
  const { peak, samples } = sampler.stop();
  const rssAfter = rssMiB(o.apiPid) ?? 0;

  const client = new Client({ connectionString: o.url, application_name: 'pl-benchapi-export-raw' });
  await client.connect();
  try {
    const selfBefore = process.memoryUsage().rss / 2 ** 20;
    let selfPeak = selfBefore;
    const t1 = performance.now();
    const stream = client.query(
      new QueryStream('SELECT state, version, recorded_at, updated_at FROM actions ORDER BY first_position', [], { batchSize: 500 }),
    );
    let rawRows = 0;
    let rawBytes = 0;
    for await (const row of stream as AsyncIterable<{ state: Record<string, unknown>; version: number; recorded_at: Date; updated_at: Date }>) {
      const line = JSON.stringify({ ...row.state, version: row.version, recordedAt: row.recorded_at.toISOString(), updatedAt: row.updated_at.toISOString() }) + '\n';
      rawBytes += Buffer.byteLength(line);
      if (++rawRows % 5000 === 0) selfPeak = Math.max(selfPeak, process.memoryUsage().rss / 2 ** 20);
    }
    const rawSeconds = (performance.now() - t1) / 1000;
    return {
      rows,
      bytes,
      seconds,
      rate: rows / seconds,
      rssBefore,
      rssPeak: peak,
      rssAfter,
      rssSamples: samples,
      raw: { rows: rawRows, bytes: rawBytes, seconds: rawSeconds, rate: rawRows / rawSeconds, rssBefore: selfBefore, rssPeak: selfPeak },
    };
  } finally {
    await client.end();
  }
}
