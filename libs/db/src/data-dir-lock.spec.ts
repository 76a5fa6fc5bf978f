import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, lockDataDir } from './data-dir-lock';

describe('lockDataDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'pl-lock-'));
  const dir = (name: string) => join(root, name);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('claims a directory once: a second claim is refused until the first is released', () => {
    const release = lockDataDir(dir('a'));
    expect(readFileSync(`${dir('a')}.lock`, 'utf8')).toBe(String(process.pid));
    expect(() => lockDataDir(dir('a'))).toThrow(DataDirInUseError);
    release();
    expect(existsSync(`${dir('a')}.lock`)).toBe(false);
    lockDataDir(dir('a'))();
  });

  it('refuses a directory a live process holds, naming it', () => {
    // The parent of this process is alive for as long as this test runs.
    writeFileSync(`${dir('b')}.lock`, String(process.ppid));
    const error = (() => {
      try {
        lockDataDir(dir('b'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DataDirInUseError);
    expect((error as Error).message).toContain(`pid ${process.ppid}`);
    expect(readFileSync(`${dir('b')}.lock`, 'utf8')).toBe(String(process.ppid));
  });

  it('takes over a lock whose process has died, or that an earlier life of this pid left', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(`${dir('c')}.lock`, dead);
    const release = lockDataDir(dir('c'));
    expect(readFileSync(`${dir('c')}.lock`, 'utf8')).toBe(String(process.pid));
    release();

    writeFileSync(`${dir('d')}.lock`, String(process.pid));
    lockDataDir(dir('d'))();
  });
});
