import { readFileSync } from 'node:fs';
import type { Client } from 'pg';

// Who used the CPU during a measured window: the machine as a whole (/proc/stat), this
// process (the load generator or the raw pg client), the API process, and the Postgres
// backends serving this bench's database (/proc/<pid>/stat of each backend pid). What is
// left is everything else on the machine (Postgres background processes, other users).

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function machineTicks(): { busy: number; total: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** utime + stime of a process, in seconds; undefined when it is gone or unreadable. */
function processSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND; // fields 14 and 15 of the full line
  } catch {
    return undefined;
  }
}

export interface CpuSample {
  at: number;
  machine: { busy: number; total: number };
  self: NodeJS.CpuUsage;
  child: NodeJS.CpuUsage | null;
  backends: Map<number, number>;
}

export interface CpuShare {
  /** Cores busy machine-wide (0..cores). */
  machine: number;
  /** This process: the HTTP load generator, or the raw pg client. */
  bench: number;
  /** The API process. */
  api: number;
  /** Postgres backends connected to the bench database. */
  postgres: number;
  /** Everything else: Postgres background processes, the kernel, other users of the machine. */
  other: number;
}

export class CpuSampler {
  constructor(
    private readonly admin: Client,
    private readonly database: string,
    private readonly cores: number,
    private readonly child: () => Promise<NodeJS.CpuUsage | null>,
  ) {}

  async sample(): Promise<CpuSample> {
    const [child, { rows }] = await Promise.all([
      this.child(),
      this.admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [this.database]),
    ]);
    const backends = new Map<number, number>();
    for (const { pid } of rows) {
      const s = processSeconds(pid);
      if (s !== undefined) backends.set(pid, s);
    }
    return { at: performance.now(), machine: machineTicks(), self: process.cpuUsage(), child, backends };
  }

  between(a: CpuSample, b: CpuSample): CpuShare {
    const seconds = (b.at - a.at) / 1000;
    const us = (x: NodeJS.CpuUsage) => x.user + x.system;
    const ticks = b.machine.total - a.machine.total;
    let pg = 0;
    // A backend that started inside the window counts from zero.
    for (const [pid, s] of b.backends) pg += s - (a.backends.get(pid) ?? 0);
    const share = {
      machine: ticks > 0 ? ((b.machine.busy - a.machine.busy) / ticks) * this.cores : NaN,
      bench: (us(b.self) - us(a.self)) / 1e6 / seconds,
      api: a.child && b.child ? (us(b.child) - us(a.child)) / 1e6 / seconds : 0,
      postgres: pg / seconds,
      other: 0,
    };
    share.other = Math.max(0, share.machine - share.bench - share.api - share.postgres);
    return share;
  }
}

/** The mean of shares measured over windows of equal length. */
export function meanShare(shares: CpuShare[]): CpuShare {
  const mean = (k: keyof CpuShare) => shares.reduce((a, s) => a + s[k], 0) / shares.length;
  return { machine: mean('machine'), bench: mean('bench'), api: mean('api'), postgres: mean('postgres'), other: mean('other') };
}
