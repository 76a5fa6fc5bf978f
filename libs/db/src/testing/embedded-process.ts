import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { EmbeddedPostgres } from '../embedded';

/**
 * PGlite in a child process, through the package's own socket-server script. Tests use this
 * instead of starting PGlite in-process because PGlite loads its WebAssembly with a dynamic
 * import, which Jest's module sandbox does not allow.
 */
export function startEmbeddedPostgresProcess(): Promise<EmbeddedPostgres> {
  // The script is not in the package's exports map; find it beside the package's entry point.
  const script = join(dirname(require.resolve('@electric-sql/pglite-socket')), 'scripts', 'server.js');
  // pg_trgm as the app's embedded server loads it (libs/db/src/embedded.ts): the migrations need it.
  const child = spawn(process.execPath, [script, '--port=0', '--max-connections=32', '--extensions=pg_trgm'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`PGlite did not start:\n${output}`)), 30_000);
    child.on('exit', (code) => reject(new Error(`PGlite exited with ${code}:\n${output}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\{.*\})/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      const { port } = JSON.parse(match[1]) as { port: number };
      resolve({
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        stop: () =>
          new Promise<void>((done) => {
            // A child that already died would never emit 'exit' again: don't wait for it.
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
}
