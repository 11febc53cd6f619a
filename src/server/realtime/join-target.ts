import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/index.js';

/** What a socket needs to know about a thread before following it, read in one query. */
export interface JoinTarget {
  threadId: string;
  siteId: string;
  siteEnabled: boolean;
  allowedOrigins: string[];
  /** Events up to this cursor were pruned: a client resuming from before it must re-read. */
  prunedThrough: bigint;
  /** The newest cursor of the thread: where a client told to re-read resumes. */
  latestCursor: string;
}

export async function readJoinTarget(db: DbOrTx, threadId: string): Promise<JoinTarget | null> {
  const result = await db.execute<{
    thread_id: string; site_id: string; enabled: boolean; allowed_origins: string[]; pruned_through: string; latest: string | null;
  }>(sql`
    select t.id as thread_id, t.site_id, s.enabled, s.allowed_origins, t.events_pruned_through::text as pruned_through,
           (select max(e.id) from thread_events e where e.thread_id = t.id)::text as latest
    from threads t join sites s on s.id = t.site_id
    where t.id = ${threadId}`);
  const row = result.rows[0];
  if (!row) return null;
  return {
    threadId: row.thread_id,
    siteId: row.site_id,
    siteEnabled: row.enabled,
    allowedOrigins: row.allowed_origins,
    prunedThrough: BigInt(row.pruned_through),
    // After a prune the newest event may be gone too; the pruned cursor is then the newest known.
    // The larger of the two, as the page's eventCursor: a client holding that one is current.
    latestCursor: String(maxOf(BigInt(row.latest ?? 0), BigInt(row.pruned_through))),
  };
}

const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);

/**
 * Pages of one site must not follow another site's threads: a socket's Origin is what the
 * browser vouches for. Parley's own pages and non-browser clients (no Origin) may follow any.
 */
export function originMayJoin(target: Pick<JoinTarget, 'siteEnabled' | 'allowedOrigins'>, origin: string | undefined, ownOrigin: string): boolean {
  if (!origin || origin === ownOrigin) return true;
  return target.siteEnabled && target.allowedOrigins.includes(origin);
}
