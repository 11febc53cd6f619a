import { eq, sql } from 'drizzle-orm';
import type { ApiThread } from '../../shared/api.js';
import { transactional } from '../db/index.js';
import { sites, threads } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import { toApiThread } from '../threads/service.js';
import { requireModeratorOf } from './access.js';
import { appendAudit } from './audit.js';

export const THREAD_ACTIONS = ['lock', 'close', 'reopen'] as const;
export type ThreadAction = (typeof THREAD_ACTIONS)[number];

const statusAfter = { lock: 'locked', close: 'closed', reopen: 'open' } as const;

/** Locks (no new comments), closes (nothing changes) or reopens a thread; its open pages follow live. */
export async function moderateThread(deps: Deps, caller: Caller, input: { threadId: string; action: ThreadAction }): Promise<{ thread: ApiThread }> {
  return transactional(deps.db, async (tx, afterCommit) => {
    const [found] = await tx.select({ thread: threads, site: sites }).from(threads).innerJoin(sites, eq(sites.id, threads.siteId))
      .where(eq(threads.id, input.threadId)).for('update', { of: threads }).limit(1);
    if (!found) throw new NotFound('Thread');
    const moderator = await requireModeratorOf(deps, caller, found.site, tx);
    const status = statusAfter[input.action];
    // Reopening a thread the site closed by age opens it anew from now: its age counts again from today.
    const reopenedByAge = input.action === 'reopen' && found.site.autoCloseDays !== null;
    const [row] = await tx.update(threads).set({ status, ...(reopenedByAge ? { createdAt: sql`now()` } : {}) }).where(eq(threads.id, found.thread.id)).returning();
    await appendAudit(tx, deps.now(), {
      siteId: found.site.id, actor: moderator, action: `thread.${input.action}`, targetType: 'thread', targetId: row.id,
      before: { status: found.thread.status }, after: { status: row.status },
    });
    await deps.changeLog.record({ tx, afterCommit, events: deps.events }, {
      name: 'thread.updated', siteId: found.site.id, threadId: row.id, commentId: null, audienceUserId: null, payload: { status },
    });
    return { thread: toApiThread(row, found.site, deps.now()) };
  });
}
