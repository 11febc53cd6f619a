import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { sites, threads } from '../db/schema.js';

/**
 * A thread with its site as a prepared statement, as comments/page-queries.ts does for pages:
 * every write and every reader overlay asks for it, and skips drizzle's query building and
 * PostgreSQL's planning. It runs on the pool, outside any transaction: it only reads.
 */

function prepareThreadWithSite(db: Db) {
  return db
    .select({ thread: threads, site: sites })
    .from(threads)
    .innerJoin(sites, eq(sites.id, threads.siteId))
    .where(eq(threads.id, sql.placeholder('threadId')))
    .limit(1)
    .prepare('thread_with_site');
}

type ThreadWithSite = Awaited<ReturnType<ReturnType<typeof prepareThreadWithSite>['execute']>>[number];

const statements = new WeakMap<Db, ReturnType<typeof prepareThreadWithSite>>();

/** A thread and its site, in one query. */
export async function readThreadWithSite(db: Db, threadId: string): Promise<ThreadWithSite | undefined> {
  let statement = statements.get(db);
  if (!statement) statements.set(db, (statement = prepareThreadWithSite(db)));
  const [found] = await statement.execute({ threadId });
  return found;
}
