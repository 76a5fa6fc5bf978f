/**
 * Runs a long-lived process (API, worker): `start` returns how to stop it, which SIGINT and
 * SIGTERM then call before exiting; a failure to start is reported with its stack and exits 1.
 * The only signal handlers: Nest's shutdown hooks stay off (its app.close() in `stop` runs the
 * lifecycle hooks), so nothing races the database closing after it.
 */
export function runProcess(label: string, start: () => Promise<() => Promise<void>>): void {
  start().then(
    (stop) => {
      const close = async () => {
        await stop();
        process.exit(0);
      };
      process.once('SIGINT', close);
      process.once('SIGTERM', close);
    },
    (err: unknown) => {
      process.stderr.write(`${label} failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
