import { and, eq, inArray } from 'drizzle-orm';
import type { ReaderOverlay } from '../../shared/api.js';
import { requireActor } from '../auth/service.js';
import { comments, flags, votes } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { getThreadForCaller } from '../threads/service.js';
import { canEditComment, editableUntil } from './policy.js';
import { publicColumns, toApiComment } from './serialize.js';

/**
 * What is the reader's own in a thread, apart from the page every reader shares: their votes,
 * their comments (with until when they may still change each), and their comments awaiting
 * moderation, which nobody else sees, and the comments they flagged. Three queries, whatever
 * the thread's size.
 */
export async function readerOverlay(deps: Deps, caller: Caller, threadId: string): Promise<ReaderOverlay> {
  const actor = requireActor(caller, 'comment', 'Your own votes and comments need your session.');
  const { thread, site } = await getThreadForCaller(deps, caller, threadId);
  const [own, myVotes, myFlags] = await Promise.all([
    deps.db
      .select(publicColumns)
      .from(comments)
      .where(and(eq(comments.authorId, actor.userId), eq(comments.threadId, thread.id), inArray(comments.status, ['approved', 'pending']))),
    deps.db
      .select({ commentId: votes.commentId, value: votes.value })
      .from(votes)
      .innerJoin(comments, eq(comments.id, votes.commentId))
      .where(and(eq(votes.userId, actor.userId), eq(comments.threadId, thread.id))),
    deps.db
      .select({ commentId: flags.commentId })
      .from(flags)
      .innerJoin(comments, eq(comments.id, flags.commentId))
      .where(and(eq(flags.userId, actor.userId), eq(comments.threadId, thread.id))),
  ]);
  const now = deps.now();
  const mine: ReaderOverlay['mine'] = {};
  for (const row of own) mine[row.id] = canEditComment(actor, row, site, now) ? editableUntil(row, site).toISOString() : null;
  return {
    votes: Object.fromEntries(myVotes.map((v) => [v.commentId, v.value as 1 | -1])),
    mine,
    pending: own.filter((row) => row.status === 'pending').map(toApiComment),
    flagged: myFlags.map((f) => f.commentId),
  };
}
