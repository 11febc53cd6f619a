import { and, eq } from 'drizzle-orm';
import type { VoteRequest, VoteResponse } from '../../shared/api.js';
import { changeVote, type VoteValue } from '../../shared/votes.js';
import { actorOrNewGuest, assertCallerOnSite, consumeGuestAllowance } from '../auth/service.js';
import { transactional } from '../db/index.js';
import { comments, sites, threads, votes } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { Forbidden, NotFound, ThreadClosed } from '../errors.js';
import { canVote, isCommentAuthor } from '../comments/policy.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { cleanName } from '../text.js';

/**
 * Sets the reader's vote on a comment (0 withdraws it); one vote per reader and comment. A
 * vote needs a session: a reader without one names themself and becomes a guest with the vote.
 */
export async function voteOnComment(
  deps: Deps,
  caller: Caller,
  input: VoteRequest & { commentId: string },
): Promise<VoteResponse> {
  await deps.limits.consume('vote', limitKeys(hashIp(deps.secret, caller.ip), caller.actor?.userId));
  const guestName = input.author ? cleanName(input.author.name) : '';
  await consumeGuestAllowance(deps, caller, guestName !== '');
  return transactional(deps.db, async (tx, afterCommit) => {
    // Locking the comment serialises votes on it, so its counters never drift from the votes.
    const [found] = await tx
      .select({ comment: comments, site: sites, threadStatus: threads.status })
      .from(comments)
      .innerJoin(sites, eq(sites.id, comments.siteId))
      .innerJoin(threads, eq(threads.id, comments.threadId))
      .where(eq(comments.id, input.commentId))
      .for('update', { of: comments })
      .limit(1);
    if (!found || found.comment.status === 'deleted') throw new NotFound('Comment');
    assertCallerOnSite(caller, found.site);
    if (!canVote(found.comment)) throw new Forbidden('This comment cannot be voted on.');
    if (found.threadStatus !== 'open') throw new ThreadClosed();
    const voter = await actorOrNewGuest(deps, tx, {
      caller, action: 'vote', site: found.site, author: guestName ? { name: guestName, email: input.author?.email } : undefined,
    });
    const comment = found.comment;
    if (isCommentAuthor(voter.actor, comment)) throw new Forbidden('You cannot vote on your own comment.');
    const userId = voter.actor.userId;
    const [previous] = await tx
      .select({ value: votes.value })
      .from(votes)
      .where(and(eq(votes.commentId, comment.id), eq(votes.userId, userId)));
    const before = (previous?.value ?? 0) as VoteValue;
    const after = input.value;
    const result = { commentId: comment.id, myVote: after, ...(voter.session ? { session: voter.session } : {}) };
    if (before === after) {
      return { ...result, upvotes: comment.upvotes, downvotes: comment.downvotes };
    }
    if (after === 0) {
      await tx.delete(votes).where(and(eq(votes.commentId, comment.id), eq(votes.userId, userId)));
    } else {
      await tx.insert(votes).values({ commentId: comment.id, userId, value: after })
        .onConflictDoUpdate({ target: [votes.commentId, votes.userId], set: { value: after } });
    }
    const { score, upvotes, downvotes } = changeVote(comment, before, after);
    await tx.update(comments).set({ upvotes, downvotes, score }).where(eq(comments.id, comment.id));
    await deps.changeLog.record({ tx, afterCommit, events: deps.events }, {
      name: 'vote.updated', siteId: comment.siteId, threadId: comment.threadId, commentId: comment.id, audienceUserId: null,
      payload: { commentId: comment.id, upvotes, downvotes },
    });
    return { ...result, upvotes, downvotes };
  });
}
