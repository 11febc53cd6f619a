/**
 * Parley's jobs live in PostgreSQL through pg-boss (its own schema, `pgboss`, installed with
 * Parley's migrations). A job is written with `send(tx, ...)` inside the transaction of the
 * change that causes it (the outbox): it exists exactly when the change committed. Workers
 * (runner.ts) take them in this process or in `npm run parley -- worker`.
 */
import { sql, type SQL } from 'drizzle-orm';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { DbOrTx } from '../db/index.js';

/** The queues, and what each carries. */
export const QUEUES = {
  /** A domain event recorded by a service (outbox.ts): its fan-out into mails, notices and webhook deliveries. */
  events: 'parley-events',
  /** One notification mail (a row of mail_deliveries). */
  mail: 'parley-mail',
  /** The digest of one address in one mode, due at the end of its hour or day. */
  digest: 'parley-digest',
  /** One webhook delivery (a row of webhook_deliveries). */
  webhook: 'parley-webhook',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobSettings {
  /** The first retry waits about this long; each next one twice as long (with jitter). */
  retryBaseSeconds: number;
  /** A job running longer than this is taken for dead (its process killed) and retried. */
  timeoutSeconds: number;
}

export const DEFAULT_JOB_SETTINGS: JobSettings = { retryBaseSeconds: 30, timeoutSeconds: 120 };

/**
 * As many retries as make about a day: pg-boss waits base * 2^n * (1 + random) before retry n,
 * so k retries take 1.5 * base * (2^k - 1) on average.
 */
export function retriesForADay(baseSeconds: number): number {
  return Math.min(16, Math.max(1, Math.round(Math.log2(86_400 / (1.5 * baseSeconds) + 1))));
}

/** Runs pg-boss's SQL on a drizzle transaction (or the pool): its job rows commit or roll back with the change. */
function onDrizzle(db: DbOrTx): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      // pg-boss numbers its parameters ($1 ...); drizzle binds each value where its number stood.
      const parts = text.split(/\$(\d+)/);
      const chunks: SQL[] = parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${values[Number(part) - 1] ?? null}`));
      const result = await db.execute(sql.join(chunks));
      return { rows: result.rows as unknown[] };
    },
  };
}

/** pg-boss over a pool (never pg-boss's own: it would open connections of its own). */
export function poolDb(pool: pg.Pool): PgBoss.Db {
  return { executeSql: (text, values) => pool.query(text, values as unknown[]) };
}

export interface SendOptions {
  /** Not before this moment. */
  startAfter?: Date;
  /** With the digest queue's policy: one waiting job per key. */
  singletonKey?: string;
}

export interface JobQueue {
  readonly settings: JobSettings;
  /** Writes a job in `db`'s transaction. */
  send(db: DbOrTx, queue: QueueName, data: object, options?: SendOptions): Promise<void>;
  /** Writes many jobs in one statement (a fan-out to thousands of readers). */
  sendMany(db: DbOrTx, queue: QueueName, jobs: Array<{ data: object } & SendOptions>): Promise<void>;
  /** Tells this process's workers that a job committed (others find it at their next poll). */
  wake(queue: QueueName): void;
  /** The runner registers here to be woken. */
  onWake(listener: (queue: QueueName) => void): () => void;
}

export function createJobQueue(settings: JobSettings = DEFAULT_JOB_SETTINGS): JobQueue {
  // A boss that is never started: it only builds and sends pg-boss's SQL on the connection given.
  const boss = new PgBoss({ db: { executeSql: () => Promise.reject(new Error('jobs are sent on a transaction')) } });
  const listeners = new Set<(queue: QueueName) => void>();
  const retryLimit = retriesForADay(settings.retryBaseSeconds);
  return {
    settings,
    async send(db, queue, data, options = {}) {
      await boss.send(queue, data, {
        db: onDrizzle(db), retryLimit, retryDelay: settings.retryBaseSeconds, retryBackoff: true,
        expireInSeconds: settings.timeoutSeconds, startAfter: options.startAfter, singletonKey: options.singletonKey,
      });
    },
    async sendMany(db, queue, jobs) {
      if (jobs.length === 0) return;
      await boss.insert(jobs.map((job) => ({
        name: queue, data: job.data, retryLimit, retryDelay: settings.retryBaseSeconds, retryBackoff: true,
        expireInSeconds: settings.timeoutSeconds, startAfter: job.startAfter?.toISOString(), singletonKey: job.singletonKey,
      })), { db: onDrizzle(db) });
    },
    wake(queue) { for (const listener of listeners) listener(queue); },
    onWake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Installs (or upgrades) pg-boss's schema and Parley's queues. Called with Parley's migrations,
 * under their advisory lock: processes starting together do it once.
 */
export async function installJobQueue(pool: pg.Pool): Promise<void> {
  const boss = new PgBoss({ db: poolDb(pool), supervise: false, schedule: false, migrate: true });
  await boss.start();
  try {
    for (const name of Object.values(QUEUES)) {
      // A digest waits per address and mode: `short` keeps one queued job per singleton key.
      await boss.createQueue(name, { name, policy: name === QUEUES.digest ? 'short' : 'standard' });
    }
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}
