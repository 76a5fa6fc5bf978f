import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is open in another process (pid ${pid}: the API, or a CLI command). ` +
        'PGlite allows one process at a time: stop that one first, or point both at a Postgres with DATABASE_URL. ' +
        'While the API runs, manage keys over HTTP (POST /api/v1/keys with an admin key, e.g. API_ADMIN_KEY).',
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock files this process holds: a second open in the same process is as unsafe as another process. */
const held = new Set<string>();

/**
 * Claims `dataDir` for this process with a `<dataDir>.lock` file holding its pid: PGlite has
 * no lock of its own, and two processes writing one data directory would each overwrite the
 * other's pages. A lock left by a process that has died is taken over. Returns the release.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = `${dataDir}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(path);
      return () => {
        if (!held.delete(path)) return;
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const holder = Number(readFileSync(path, 'utf8'));
      // Our own pid without our own claim is a previous life of this pid (a container's pid 1).
      const live = held.has(path) || (holder !== process.pid && Number.isInteger(holder) && holder > 0 && isAlive(holder));
      if (live) throw new DataDirInUseError(dataDir, holder);
      unlinkSync(path); // stale: its process is gone
    }
  }
}
