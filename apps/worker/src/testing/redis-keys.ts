import { randomBytes } from 'node:crypto';
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
