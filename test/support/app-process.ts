import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './compiled-apps';

// A compiled app (the API, the worker) as production runs it: a process of its own, started
// with an environment of the test's choosing and stopped by signals.

export interface AppProcess {
  child: ChildProcess;
  /** What it printed (stdout and stderr), the last 256 kB. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal (SIGKILL: no shutdown at all) and waits for the exit; at once if it has exited. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const KEEP = 256 * 1024;

/**
 * Starts `node <entry>` (a path under the repository) with exactly `env` and PATH, and
 * resolves once its output matches `ready` (with the match), or rejects, killing it, when it
 * exits or does not get there in `timeoutMs`.
 */
export function startAppProcess(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<AppProcess & { ready: RegExpExecArray }> {
  const child = spawn(process.execPath, [entry], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const app: AppProcess = {
    child,
    output: () => output,
    exited,
    stop: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    let started = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const take = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-KEEP);
      const match = started ? null : ready.exec(output);
      if (!match) return;
      started = true;
      clearTimeout(timer);
      resolve({ ...app, ready: match });
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    void exited.then(({ code, signal }) => {
      if (started) return;
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code ?? signal}) before it started:\n${output}`));
    });
  });
}
