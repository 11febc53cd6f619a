import type { Db } from './db/index.js';
import { DEFAULT_LIMITS } from './config.js';
import { EventBus } from './events.js';
import { serializeError } from './logging.js';
import { createRateLimits, type RateLimits } from './limits/service.js';
import { createSessionCache, type SessionCache } from './auth/service.js';
import type { ChangeLog } from './change-log.js';
import { liveChangeLog } from './realtime/log.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { createJobQueue, type JobQueue, type JobSettings } from './jobs/queue.js';
import { jobOutbox, type Outbox } from './outbox.js';

/** Where a failure that must not reach the client (a listener after commit) is reported. */
export interface ErrorReporter {
  error(obj: object, msg: string): void;
}

/** What every service function gets first: its collaborators, never the transport. */
export interface Deps {
  db: Db;
  events: EventBus;
  /** Records thread changes for live replay; provided by realtime, used by the domain. */
  changeLog: ChangeLog;
  /** Keys HMACs (IP hashes). */
  secret: string;
  now: () => Date;
  limits: RateLimits;
  log: ErrorReporter;
  /** Sessions this process has resolved lately (auth/service.ts). */
  sessions: SessionCache;
  mailer: Mailer;
  /** Parley's own address, for links in mail and sign-in redirects (known once the server listens). */
  publicUrl: string;
  /** The job queue (PostgreSQL): jobs are written in the transaction of the change that causes them. */
  jobs: JobQueue;
  /** Where services record, in their transaction, what mail, notices and webhooks act on. */
  outbox: Outbox;
  notify: NotifySettings;
}

/** config.ts's settings of notifications and webhooks. */
export interface NotifySettings {
  /** Instant notification mails one address gets per hour; more wait for the hourly digest. */
  perHour: number;
  /** Webhooks may target private and loopback addresses (and plain http): development and tests only. */
  webhooksAllowPrivate: boolean;
}

/** Who acts: a session's user. */
export interface Actor {
  userId: string;
  displayName: string;
  isGuest: boolean;
  scope: 'embed' | 'full';
  /** The one site the session serves (every guest session has one); null: an account's, for any site. */
  siteId: string | null;
}

/**
 * Who asks, as far as the service needs to know: the session's actor (or nobody), the page
 * origin the browser vouches for (null without an Origin header: curl, a server), the IP.
 */
export interface Caller {
  actor: Actor | null;
  origin: string | null;
  ip?: string;
  /** The hash of the session's token: "this session" among the user's others. */
  sessionTokenHash?: string;
}

export interface DepsOptions {
  db: Db;
  secret: string;
  now?: () => Date;
  /** Defaults to the default limits, counted in PostgreSQL. */
  limits?: RateLimits;
  log?: ErrorReporter;
  /** Defaults to writing mail to the log. */
  mailer?: Mailer;
  publicUrl?: string;
  /** Retry and timeout of jobs (config.ts); defaults to jobs/queue.ts's. */
  jobs?: JobSettings;
  notify?: Partial<NotifySettings>;
}

/** The one way main, the CLI, tests and benchmarks assemble a service's dependencies. */
export function createDeps(options: DepsOptions): Deps {
  // Without the process's logger (a script), errors still go through the one serializer: no query parameters.
  const log = options.log ?? { error: (obj: { err?: unknown }, msg) => console.error(msg, serializeError(obj.err)) };
  const events = new EventBus(log);
  const now = options.now ?? (() => new Date());
  const jobs = createJobQueue(options.jobs);
  return {
    db: options.db,
    events,
    changeLog: liveChangeLog,
    secret: options.secret,
    now,
    limits: options.limits ?? createRateLimits({ db: options.db, keyPrefix: 'parley', perPeriod: DEFAULT_LIMITS }),
    log,
    sessions: createSessionCache(events),
    mailer: options.mailer ?? createMailer({ from: 'Parley <parley@localhost>', log: { info: (obj, msg) => console.log(msg, obj) } }),
    publicUrl: options.publicUrl ?? 'http://localhost:3000',
    jobs,
    outbox: jobOutbox(jobs, now),
    notify: { perHour: 10, webhooksAllowPrivate: false, ...options.notify },
  };
}

let parsedUrl = '';
let parsedOrigin = '';
/**
 * Parley's own origin, parsed once per address rather than on every request that checks it
 * (the address can change once the server listens on a port chosen then).
 */
export function ownOrigin(deps: Pick<Deps, 'publicUrl'>): string {
  if (deps.publicUrl !== parsedUrl) {
    parsedOrigin = new URL(deps.publicUrl).origin;
    parsedUrl = deps.publicUrl;
  }
  return parsedOrigin;
}
