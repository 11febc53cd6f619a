import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterDrizzle, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/index.js';
import { rateLimits } from '../db/schema.js';
import { RateLimited } from '../errors.js';

export type LimitedAction = 'post' | 'vote' | 'thread';

export interface RateLimits {
  /** Counts one action against each key (an IP hash, a user); throws RateLimited past the limit. */
  consume(action: LimitedAction, keys: string[]): Promise<void>;
}

export interface RateLimitOptions {
  db: Db;
  /** With Redis the counters live there; otherwise in PostgreSQL, shared by every process. */
  redis?: Redis;
  keyPrefix: string;
  perMinute: Record<LimitedAction, number>;
}

function limiterFor(options: RateLimitOptions, action: LimitedAction): RateLimiterAbstract {
  const common = { points: options.perMinute[action], duration: 60, keyPrefix: `${options.keyPrefix}:${action}` };
  return options.redis
    ? new RateLimiterRedis({ ...common, storeClient: options.redis })
    : new RateLimiterDrizzle({ ...common, storeClient: options.db, schema: rateLimits });
}

export function createRateLimits(options: RateLimitOptions): RateLimits {
  const limiters = {
    post: limiterFor(options, 'post'), vote: limiterFor(options, 'vote'), thread: limiterFor(options, 'thread'),
  };
  return {
    async consume(action, keys) {
      for (const key of keys) {
        try {
          await limiters[action].consume(key);
        } catch (err) {
          if (err instanceof RateLimiterRes) throw new RateLimited(Math.ceil(err.msBeforeNext / 1000));
          throw err;
        }
      }
    },
  };
}

/** What a reader is counted as: their IP (keyed hash) and, when they have one, their identity. */
export function limitKeys(ipHash: string | null, userId: string | null | undefined): string[] {
  return [ipHash ? `ip:${ipHash}` : null, userId ? `user:${userId}` : null].filter((k): k is string => k !== null);
}

/** An IP address as Parley keeps it: a keyed hash, enough to spot floods, useless if stolen. */
export function hashIp(secret: string, ip: string | undefined): string | null {
  return ip ? createHmac('sha256', secret).update(ip).digest('base64url') : null;
}
