import { lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/index.js';
import { commentRankings } from '../db/schema.js';
import { MAX_REPLAY } from './sockets.js';

export const PRUNE_EVERY_MS = 10 * 60_000;

export interface PruneOptions {
  now: Date;
  /** Events older than this are dropped: a client further behind re-reads the thread. */
  windowHours: number;
  /** And beyond this many per thread: no replay sends more (MAX_REPLAY). */
  keepPerThread: number;
}

const cutoff = (now: Date, windowHours: number) => new Date(now.getTime() - windowHours * 3_600_000);

/**
 * Bounds the live log by age and by count per thread, and records on each thread the highest
 * cursor removed, in the same statement: a join from below it is told to re-read, and a
 * join from at or above it still finds every later event.
 */
export async function pruneLiveLog(db: DbOrTx, options: PruneOptions): Promise<{ events: number; threads: number }> {
  const result = await db.execute<{ events: string; threads: string }>(sql`
    with ranked as (
      select id, created_at, row_number() over (partition by thread_id order by id desc) as rank
      from thread_events
    ), pruned as (
      delete from thread_events e using ranked r
      where e.id = r.id and (r.created_at < ${cutoff(options.now, options.windowHours)} or r.rank > ${options.keepPerThread})
      returning e.thread_id, e.id
    ), per_thread as (
      select thread_id, max(id) as through, count(*) as events from pruned group by thread_id
    ), marked as (
      update threads t set events_pruned_through = greatest(t.events_pruned_through, p.through)
      from per_thread p where t.id = p.thread_id
      returning t.id
    )
    select coalesce((select sum(events) from per_thread), 0)::text as events, (select count(*) from marked)::text as threads`);
  const row = result.rows[0];
  return { events: Number(row?.events ?? 0), threads: Number(row?.threads ?? 0) };
}

/** Ranking snapshots serve paging for a while; older ones page nobody. */
export async function pruneRankingSnapshots(db: DbOrTx, options: Pick<PruneOptions, 'now' | 'windowHours'>): Promise<number> {
  const gone = await db.delete(commentRankings)
    .where(lt(commentRankings.createdAt, cutoff(options.now, options.windowHours)))
    .returning({ id: commentRankings.id });
  return gone.length;
}

/**
 * Runs both prunes every PRUNE_EVERY_MS; each process may run it, as repeating a prune is
 * harmless. A failure is logged and the next round tries again. Returns the stop function.
 */
export function startPruning(
  db: DbOrTx,
  options: { now: () => Date; windowHours: number; keepPerThread?: number; log: { warn: (obj: object, msg: string) => void } },
): () => void {
  const round = async () => {
    const now = options.now();
    await pruneLiveLog(db, { now, windowHours: options.windowHours, keepPerThread: options.keepPerThread ?? MAX_REPLAY });
    await pruneRankingSnapshots(db, { now, windowHours: options.windowHours });
  };
  const run = () => { round().catch((err) => options.log.warn({ err }, 'pruning the live log failed')); };
  // Once at start too: a server restarted more often than every round would otherwise never prune.
  setImmediate(run);
  const timer = setInterval(run, PRUNE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
