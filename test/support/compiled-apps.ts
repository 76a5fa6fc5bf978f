import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(__dirname, '..', '..');

/**
 * apps/ and libs/ compiled with swc into an output folder of this test file's own, so a
 * concurrent `npm run build` (benchmarks, npm start) never rewrites a file its processes are
 * loading. Inside the repository: the seed finds its data files by walking up to package.json.
 */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function compiledApps(tag: string): {
  outDir: string;
  compile(): Promise<void>;
  /** Runs the compiled CLI (what `npm run cli --` runs) with this environment; never rejects. */
  cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliRun>;
  remove(): void;
} {
  const outDir = join(ROOT, 'dist', `.e2e-${tag}-${process.pid}`);
  return {
    outDir,
    cli: (env, ...args) =>
      new Promise((resolve) => {
        execFile(process.execPath, [join(outDir, 'apps/cli/src/main.js'), ...args], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      }),
    compile: async () => {
      await promisify(execFile)('npx', ['swc', 'apps', 'libs', '-d', outDir, '--quiet', '--ignore', 'apps/console/**'], { cwd: ROOT, timeout: 120_000 });
    },
    remove: () => rmSync(outDir, { recursive: true, force: true }),
  };
}
