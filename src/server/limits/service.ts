import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import ipaddr from 'ipaddr.js';
import { LRUCache } from 'lru-cache';
import { RateLimiterDrizzle, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/index.js';
import { rateLimits } from '../db/schema.js';
import { RateLimited } from '../errors.js';

export type LimitedAction = 'post' | 'vote' | 'thread' | 'guest' | 'replay' | 'signin' | 'mail';

/** The period each action's limit counts over, in seconds: guests and mails per hour, sign-ins per 15 minutes, the rest per minute. */
const periodSeconds: Record<LimitedAction, number> = { post: 60, vote: 60, thread: 60, guest: 3600, replay: 60, signin: 900, mail: 3600 };

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

/**
 * Points a process has taken from the shared store ahead of use, for one key, until the store's
 * window for it ends. `left` may be 0 with the window still open: the key is over its limit.
 */
interface Reserve {
  left: number;
  /** When the store's window for the key ends. */
  until: number;
  /** The store counted the key past its limit: once `left` is spent, refuse until `until`. */
  over: boolean;
}

/**
 * How many points a process takes from the shared store at once: a twentieth of the limit. A
 * reader at the default limits (10 comments, 60 votes a minute) is counted in the store point by
 * point (votes by 3), as before; a key allowed thousands a minute costs a store round trip per
 * batch instead of per request, and no longer serialises every request on its one counter row.
 */
export function batchFor(points: number): number {
  return Math.max(1, Math.floor(points / 20));
}

/**
 * A limiter that takes points from the shared store in batches and hands them out from memory.
 * Every point handed out was first counted in the store, so N processes together never let
 * more than the limit through; a batch one process holds unused is lost to the others for the
 * rest of the window, so with N processes a key may be refused up to (batch - 1) x (N - 1)
 * points early. Limits kept in each process's memory alone would instead multiply it by N.
 */
class BatchingLimiter {
  private readonly reserves = new LRUCache<string, Reserve>({ max: 100_000 });
  /** One store round trip per key at a time: concurrent requests wait for the same batch. */
  private readonly refills = new Map<string, Promise<void>>();

  constructor(private readonly store: RateLimiterAbstract, private readonly points: number, private readonly batch: number) {}

  async consume(key: string): Promise<void> {
    for (;;) {
      const reserve = this.reserves.get(key);
      const now = Date.now();
      if (reserve && reserve.until > now) {
        if (reserve.left > 0) {
          reserve.left--;
          return;
        }
        if (reserve.over) throw new RateLimited(Math.ceil((reserve.until - now) / 1000));
      }
      await (this.refills.get(key) ?? this.refill(key));
    }
  }

  private refill(key: string): Promise<void> {
    const done = this.take(key).finally(() => this.refills.delete(key));
    this.refills.set(key, done);
    return done;
  }

  private async take(key: string): Promise<void> {
    try {
      const res = await this.store.consume(key, this.batch);
      this.keep(key, { left: this.batch, over: false }, res.msBeforeNext);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // The batch's points that still fell under the limit are usable; then the key waits out its window.
      const usable = Math.min(this.batch, Math.max(0, this.points - (err.consumedPoints - this.batch)));
      this.keep(key, { left: usable, over: true }, err.msBeforeNext);
    }
  }

  private keep(key: string, reserve: Omit<Reserve, 'until'>, msBeforeNext: number): void {
    const ttl = Math.max(1, msBeforeNext);
    this.reserves.set(key, { ...reserve, until: Date.now() + ttl }, { ttl });
  }
}

export function createRateLimits(options: RateLimitOptions): RateLimits {
  const actions = Object.keys(periodSeconds) as LimitedAction[];
  const limiters = Object.fromEntries(actions.map((a) => {
    const points = options.perPeriod[a];
    return [a, new BatchingLimiter(limiterFor(options, a), points, batchFor(points))];
  })) as Record<LimitedAction, BatchingLimiter>;
  return {
    async consume(action, keys) {
      // Each key has its own counter: count them at once, and refuse if any is past its limit.
      const results = await Promise.allSettled(keys.map((key) => limiters[action].consume(key)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
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
