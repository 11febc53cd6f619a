import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type pg from 'pg';

export type SocketAdapter = ReturnType<typeof createRedisAdapter> | ReturnType<typeof createPostgresAdapter>;

/**
 * How socket events reach the clients of other Parley processes: through Redis when it is
 * configured, else through PostgreSQL's LISTEN/NOTIFY on the shared database.
 */
export function crossProcessAdapter(
  options: { redis?: Redis; pool?: pg.Pool; prefix: string },
): { adapter: SocketAdapter; close(): Promise<void> } | undefined {
  if (options.redis) {
    // Redis pub/sub takes a connection of its own for subscribing.
    const subscriber = options.redis.duplicate();
    return {
      adapter: createRedisAdapter(options.redis, subscriber, { key: `${options.prefix}:socket.io` }),
      close: async () => { await subscriber.quit(); },
    };
  }
  if (options.pool) {
    return { adapter: createPostgresAdapter(options.pool, { channelPrefix: `${options.prefix}.socket.io` }), close: async () => {} };
  }
  return undefined;
}
