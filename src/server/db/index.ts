import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Logger as DrizzleLogger } from 'drizzle-orm/logger';
import * as schema from './schema.js';
import { installJobQueue } from '../jobs/queue.js';

export type Db = NodePgDatabase<typeof schema>;
/** A transaction handle offers the same query API as the database. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

export interface Database {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Sees every query drizzle sends: tests count them. */
  queryLogger?: DrizzleLogger;
  max?: number;
  onError?: (err: Error) => void;
}

export function openDatabase(url: string, options: OpenDatabaseOptions = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client losing its server (a restart, a shutdown) must not crash the process.
  pool.on('error', (err) => options.onError?.(err));
  const db = drizzle(pool, { schema, logger: options.queryLogger });
  return { db, pool, close: () => pool.end() };
}

/** Keys of PostgreSQL advisory locks Parley takes; any fixed numbers no other app on the server uses. */
export const LOCKS = { migrations: 7_244_871_001, seed: 7_244_871_002 } as const;

/**
 * Runs work while holding a session advisory lock on a connection of its own: processes starting
 * together on one database take turns. The lock goes with the connection, so a process that dies
 * holding it frees it.
 */
export async function withAdvisoryLock<T>(db: Db, key: number, work: () => Promise<T>): Promise<T> {
  // openDatabase always gives drizzle a pool; its type just does not say so.
  const client = await (db as Db & { $client: pg.Pool }).$client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [key]);
    try {
      return await work();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [key]);
    }
  } finally {
    client.release();
  }
}

/**
 * Several processes starting at once would each see the same migrations pending and run them
 * twice (or trip over each other's CREATE): the first to take the lock applies them, the others
 * then find none left.
 */
export async function applyMigrations(db: Db): Promise<void> {
  await withAdvisoryLock(db, LOCKS.migrations, async () => {
    await migrate(db, { migrationsFolder });
    // The job queue's own schema (pg-boss's), installed and upgraded by the library.
    await installJobQueue((db as Db & { $client: pg.Pool }).$client);
  });
}

export { schema };

/**
 * Runs work in one transaction; callbacks it registers with afterCommit run only once the
 * transaction has committed, so domain events never announce a change that was rolled back.
 */
export async function transactional<T>(
  db: Db,
  work: (tx: Tx, afterCommit: (fn: () => void) => void) => Promise<T>,
): Promise<T> {
  const pending: Array<() => void> = [];
  const result = await db.transaction((tx) => work(tx, (fn) => pending.push(fn)));
  for (const fn of pending) fn();
  return result;
}
