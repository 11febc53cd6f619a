import { and, eq } from 'drizzle-orm';
import type { VoteResponse } from '../../shared/api.js';
import { changeVote, type VoteValue } from '../../shared/votes.js';
import { actorOrNewGuest } from '../auth/service.js';
import { transactional } from '../db/index.js';
import { comments, sites, votes } from '../db/schema.js';
import type { Actor, Deps } from '../deps.js';
import { Forbidden, NotFound } from '../errors.js';
import { canVote } from '../comments/policy.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { recordThreadChange } from '../realtime/log.js';


/** Sets the reader's vote on a comment (0 withdraws it); one vote per reader and comment. */
export async function voteOnComment(
  deps: Deps,
  actor: Actor | null,
  input: { commentId: string; value: VoteValue; ip?: string },
): Promise<VoteResponse> {
  await deps.limits.consume('vote', limitKeys(hashIp(deps.secret, input.ip), actor?.userId));
  return transactional(deps.db, async (tx, afterCommit) => {
    // Locking the comment serialises votes on it, so its counters never drift from the votes.
    const [found] = await tx
      .select({ comment: comments, guestsAllowed: sites.guestsAllowed })
      .from(comments)
      .innerJoin(sites, eq(sites.id, comments.siteId))
      .where(eq(comments.id, input.commentId))
      .for('update', { of: comments })
      .limit(1);
    if (!found || found.comment.status === 'deleted') throw new NotFound('Comment');
    if (!canVote(found.comment)) throw new Forbidden('This comment cannot be voted on.');
    const voter = await actorOrNewGuest(tx, { actor, guestsAllowed: found.guestsAllowed, now: deps.now() });
    const userId = voter.actor.userId;
    const comment = found.comment;
    const [previous] = await tx
      .select({ value: votes.value })
      .from(votes)
      .where(and(eq(votes.commentId, comment.id), eq(votes.userId, userId)));
    const before = (previous?.value ?? 0) as VoteValue;
    const after = input.value;
    const result = { commentId: comment.id, myVote: after, ...(voter.session ? { session: voter.session } : {}) };
    if (before === after) {
      return { ...result, score: comment.score, upvotes: comment.upvotes, downvotes: comment.downvotes };
    }
    if (after === 0) {
      await tx.delete(votes).where(and(eq(votes.commentId, comment.id), eq(votes.userId, userId)));
    } else {
      await tx.insert(votes).values({ commentId: comment.id, userId, value: after })
        .onConflictDoUpdate({ target: [votes.commentId, votes.userId], set: { value: after } });
    }
    const { score, upvotes, downvotes } = changeVote(comment, before, after);
    await tx.update(comments).set({ upvotes, downvotes, score }).where(eq(comments.id, comment.id));
    await recordThreadChange({ tx, afterCommit, events: deps.events }, {
      name: 'vote.updated', siteId: comment.siteId, threadId: comment.threadId, audienceUserId: null,
      payload: { commentId: comment.id, score, upvotes, downvotes },
    });
    return { ...result, score, upvotes, downvotes };
  });
}
