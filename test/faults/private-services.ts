import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

// The fault suite's own PostgreSQL cluster and Redis server, on free ports, in a temporary
// folder: it restarts and kills them, which it must never do to the shared services other test
// runs are using at the same time.

const run = promisify(execFile);

/** A TCP port nothing listens on right now (the OS's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** PG_BIN, else the newest /usr/lib/postgresql/<version>/bin (Debian's layout). */
function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql: install postgresql or set PG_BIN');
  return join(root, versions[0], 'bin');
}

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/policy_ledger` */
  url: string;
  /**
   * `pg_ctl restart`: `fast` rolls back open transactions and checkpoints; `immediate` kills
   * every server process at once, so the next start replays the WAL (crash recovery).
   */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
  /** Stops the cluster and removes its folder; synchronous, so it may run as the process exits. */
  destroy(): void;
}

/**
 * initdb into a temporary folder and start it on a free port, configured for durability as
 * production is (fsync on): nothing the suite finds may rest on a shortcut production would not
 * take. The server refuses to run as root: as root, every server command runs as the
 * `postgres` OS user.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'pl-faults-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const asRoot = process.getuid?.() === 0;
  const command = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  const pg = (tool: string, args: string[]) => run(...command(tool, args), { cwd: dir });
  const ctlArgs = (args: string[]) => ['-D', data, '-l', log, '-w', '-t', '60', ...args];
  const ctl = (args: string[]) => pg('pg_ctl', ctlArgs(args));
  const destroy = () => {
    try {
      execFileSync(...command('pg_ctl', ctlArgs(['-m', 'immediate', 'stop'])), { cwd: dir, stdio: 'ignore' });
    } catch {
      // Not running (never started, or stopped already).
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/policy_ledger`;
  try {
    if (asRoot) {
      const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
      chownSync(dir, Number(uid.stdout.trim()), Number(gid.stdout.trim()));
    }
    // Trust auth, listening on 127.0.0.1 only, as the shared test server is set up; --no-sync
    // only spares initdb's own flush of the new files.
    await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=100 -c shared_buffers=32MB`;
    await ctl(['-o', options, 'start']);
    const admin = new Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE policy_ledger');
    await admin.end();
  } catch (err) {
    destroy();
    throw err;
  }

  let destroyed = false;
  return {
    url,
    async restart(mode) {
      // pg_ctl restart starts again with the options of the last start (postmaster.opts).
      try {
        await ctl(['-m', mode, 'restart']);
      } catch (err) {
        throw new Error(`pg_ctl restart -m ${mode} failed: ${String(err)}\n${readFileSync(log, 'utf8').slice(-2000)}`);
      }
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      destroy();
    },
  };
}

export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /**
   * Stops the server without saving and starts an empty one on the same port after
   * `downMs`: nothing in it survives, as with a Redis that keeps nothing on disk.
   */
  restart(downMs: number): Promise<void>;
  /** Kills the server; synchronous, so it may run as the process exits. */
  destroy(): void;
}

/** A redis-server of its own on a free port, keeping nothing on disk. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = server;
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}:\n${output}`);
      const pong = await run('redis-cli', ['-p', String(port), 'ping']).then(({ stdout }) => stdout.trim(), () => '');
      if (pong === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${port}:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (signal: NodeJS.Signals) => {
    const server = child;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill(signal);
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart(downMs) {
      // SIGKILL: nothing is written and every client sees its connection drop, as on a crash.
      await stop('SIGKILL');
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    destroy: () => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
