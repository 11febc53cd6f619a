/**
 * Moderators act on a topic from its page: pin or unpin it, lock, close or reopen it (the
 * dashboard's own thread action), move it to another category, or delete it. Each checks the
 * moderator on the topic's site and writes its audit entry in the action's transaction.
 */
import { and, eq } from 'drizzle-orm';
import { transactional } from '../db/index.js';
import { sites, threads } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { BadRequest, Conflict, NotFound } from '../errors.js';
import { requireModeratorOf } from '../moderation/access.js';
import { appendAudit } from '../moderation/audit.js';
import { moderateThread, THREAD_ACTIONS, type ThreadAction } from '../moderation/thread-actions.js';
import { findCategory, forgetCategoryStats, readCategories } from './categories.js';

export const TOPIC_ACTIONS = ['pin', 'unpin', 'move', 'delete', ...THREAD_ACTIONS] as const;
export type TopicAction = (typeof TOPIC_ACTIONS)[number];

export interface TopicActionInput {
  siteId: string;
  threadId: string;
  action: TopicAction;
  /** For move: the category's slug. */
  category?: string;
}

/** Returns what is left of the topic: null once deleted. */
export async function moderateTopic(deps: Deps, caller: Caller, input: TopicActionInput): Promise<{ deleted: boolean }> {
  if ((THREAD_ACTIONS as readonly string[]).includes(input.action)) {
    const [thread] = await deps.db.select({ id: threads.id }).from(threads).where(and(eq(threads.id, input.threadId), eq(threads.siteId, input.siteId)));
    if (!thread) throw new NotFound('Topic');
    await moderateThread(deps, caller, { threadId: thread.id, action: input.action as ThreadAction });
    return { deleted: false };
  }
  const outcome = await transactional(deps.db, async (tx) => {
    const [found] = await tx.select({ thread: threads, site: sites }).from(threads).innerJoin(sites, eq(sites.id, threads.siteId))
      .where(and(eq(threads.id, input.threadId), eq(threads.siteId, input.siteId))).for('update', { of: threads }).limit(1);
    if (!found) throw new NotFound('Topic');
    const moderator = await requireModeratorOf(deps, caller, found.site, tx);
    const { thread } = found;
    const audit = (action: string, before: unknown, after: unknown) => appendAudit(tx, deps.now(), {
      siteId: found.site.id, actor: moderator, action, targetType: 'thread', targetId: thread.id, before, after,
    });
    if (input.action === 'pin' || input.action === 'unpin') {
      const pinned = input.action === 'pin';
      if (thread.pinned === pinned) throw new Conflict(pinned ? 'The topic is pinned already.' : 'The topic is not pinned.');
      await tx.update(threads).set({ pinned }).where(eq(threads.id, thread.id));
      await audit(`thread.${input.action}`, { pinned: thread.pinned }, { pinned });
      return { deleted: false };
    }
    // An article's thread lives with its article: it is neither moved nor deleted from the forum.
    if (thread.kind !== 'topic') throw new BadRequest('An article\'s discussion stays in its category and with its article.');
    if (input.action === 'move') {
      if (!input.category) throw new BadRequest('Say which category to move the topic to.', { category: ['category is required'] });
      const target = findCategory(await readCategories(tx, found.site.id), input.category);
      if (target.holdsArticles) throw new BadRequest('Topics are not moved among the articles.');
      if (target.id === thread.categoryId) throw new Conflict('The topic is in that category already.');
      await tx.update(threads).set({ categoryId: target.id }).where(eq(threads.id, thread.id));
      await audit('thread.move', { categoryId: thread.categoryId }, { categoryId: target.id });
      return { deleted: false };
    }
    await audit('thread.delete', { title: thread.title, categoryId: thread.categoryId, commentCount: thread.commentCount }, null);
    await tx.delete(threads).where(eq(threads.id, thread.id));
    return { deleted: true };
  });
  forgetCategoryStats(deps, input.siteId);
  return outcome;
}
