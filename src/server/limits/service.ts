import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import ipaddr from 'ipaddr.js';
import { RateLimiterDrizzle, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/index.js';
import { rateLimits } from '../db/schema.js';
import { RateLimited } from '../errors.js';

export type LimitedAction = 'post' | 'vote' | 'thread' | 'guest' | 'replay';

/** The period each action's limit counts over, in seconds: guests per hour, the rest per minute. */
const periodSeconds: Record<LimitedAction, number> = { post: 60, vote: 60, thread: 60, guest: 3600, replay: 60 };

export interface RateLimits {
  /** Counts one action against each key (an IP hash, a user); throws RateLimited past the limit. */
  consume(action: LimitedAction, keys: string[]): Promise<void>;
}

export interface RateLimitOptions {
  db: Db;
  /** With Redis the counters live there; otherwise in PostgreSQL, shared by every process. */
  redis?: Redis;
  keyPrefix: string;
  /** Points per period (see periodSeconds): the config's limits. */
  perPeriod: Record<LimitedAction, number>;
}

function limiterFor(options: RateLimitOptions, action: LimitedAction): RateLimiterAbstract {
  const common = { points: options.perPeriod[action], duration: periodSeconds[action], keyPrefix: `${options.keyPrefix}:${action}` };
  return options.redis
    ? new RateLimiterRedis({ ...common, storeClient: options.redis })
    : new RateLimiterDrizzle({ ...common, storeClient: options.db, schema: rateLimits });
}

export function createRateLimits(options: RateLimitOptions): RateLimits {
  const actions = Object.keys(periodSeconds) as LimitedAction[];
  const limiters = Object.fromEntries(actions.map((a) => [a, limiterFor(options, a)])) as Record<LimitedAction, RateLimiterAbstract>;
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

/**
 * The part of an address that stands for one client. An IPv6 host is usually given a whole /64
 * and may use any address in it, so IPv6 counts per /64; `::ffff:1.2.3.4` is the IPv4 client 1.2.3.4.
 */
function clientNetwork(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const prefix = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...prefix, 0, 0, 0, 0]).toString()}/64`;
}

/** An IP address as Parley keeps it: a keyed hash, enough to spot floods, useless if stolen. */
export function hashIp(secret: string, ip: string | undefined): string | null {
  return ip ? createHmac('sha256', secret).update(clientNetwork(ip)).digest('base64url') : null;
}
