import type { Db } from './db/index.js';
import { DEFAULT_LIMITS } from './config.js';
import { EventBus } from './events.js';
import { createRateLimits, type RateLimits } from './limits/service.js';

/** What every service function gets first: its collaborators, never the transport. */
export interface Deps {
  db: Db;
  events: EventBus;
  /** Keys HMACs (IP hashes). */
  secret: string;
  now: () => Date;
  limits: RateLimits;
}

/** Who acts: a session's user, or nobody (an anonymous reader). */
export interface Actor {
  userId: string;
  displayName: string;
  isGuest: boolean;
  scope: 'embed' | 'full';
}

export interface DepsOptions {
  db: Db;
  secret: string;
  now?: () => Date;
  /** Defaults to the default limits, counted in PostgreSQL. */
  limits?: RateLimits;
}

/** The one way main, the CLI, tests and benchmarks assemble a service's dependencies. */
export function createDeps(options: DepsOptions): Deps {
  return {
    db: options.db,
    events: new EventBus(),
    secret: options.secret,
    now: options.now ?? (() => new Date()),
    limits: options.limits ?? createRateLimits({ db: options.db, keyPrefix: 'parley', perPeriod: DEFAULT_LIMITS }),
  };
}
