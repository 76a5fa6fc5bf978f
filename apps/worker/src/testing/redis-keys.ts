import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Redis } from 'ioredis';

/** The Redis tests and the benchmark use: TEST_REDIS_URL, else the local default. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A BullMQ key prefix no other test or run shares: `pl-<tag>-<pid>-<random>`. */
export function uniquePrefix(tag: string): string {
  return `pl-${tag}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Deletes every key under the prefix (BullMQ's queues, jobs, schedulers and locks). */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/**
 * Closes, from the server's side, every connection this process holds to Redis: what a Redis
 * restart looks like to the clients in it, on a shared Redis, without touching anyone else's
 * connections. Clients are told apart by their local ports, found in /proc (Linux).
 */
export async function dropOwnConnections(redisUrl: string): Promise<number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (socket) inodes.add(socket[1]);
    } catch {
      // Closed while listing.
    }
  }
  const redisPort = Number(new URL(redisUrl).port || 6379);
  const ports = new Set<number>();
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    const lines = existsSync(table) ? readFileSync(table, 'utf8').trim().split('\n').slice(1) : [];
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      // local_address and rem_address are HEXIP:HEXPORT; the inode is the tenth field.
      const port = (address: string) => parseInt(address.split(':')[1], 16);
      if (inodes.has(fields[9]) && port(fields[2]) === redisPort) ports.add(port(fields[1]));
    }
  }
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    const me = Number(await redis.client('ID'));
    const mine = String(await redis.client('LIST'))
      .split('\n')
      .map((line) => ({ id: Number(/\bid=(\d+)/.exec(line)?.[1]), port: Number(/\baddr=\S+:(\d+)\b/.exec(line)?.[1]) }))
      .filter((c) => ports.has(c.port) && c.id !== me);
    for (const { id } of mine) await redis.client('KILL', 'ID', String(id));
    return mine.length;
  } finally {
    redis.disconnect();
  }
}
