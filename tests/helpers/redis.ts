import { Redis } from 'ioredis';

export const REDIS_URL = process.env.PARLEY_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/**
 * A client of the machine's Redis, or null (with the reason logged) when none answers, which
 * fails instead under PARLEY_REQUIRE_REDIS=1 (CI, whose machine runs one).
 */
export async function connectTestRedis(): Promise<Redis | null> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    if (process.env.PARLEY_REQUIRE_REDIS === '1') throw new Error(`PARLEY_REQUIRE_REDIS=1 but no Redis answers at ${REDIS_URL}`);
    console.log(`# no Redis answers at ${REDIS_URL}: its variants are skipped`);
    redis.disconnect();
    return null;
  }
}
