import { and, eq, sql } from 'drizzle-orm';
import type { VoteRequest, VoteResponse } from '../../shared/api.js';
import { changeVote, type VoteValue } from '../../shared/votes.js';
import { actorOrNewGuest, assertCallerOnSite, consumeGuestAllowance } from '../auth/service.js';
import { transactional, type Tx } from '../db/index.js';
import { comments, sites, threads, votes } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { Forbidden, NotFound, ThreadClosed } from '../errors.js';
import { canVote, isCommentAuthor } from '../comments/policy.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { cleanName } from '../text.js';
import { readStanding } from '../moderation/standing.js';
import { acceptsChanges, effectiveThreadStatus } from '../threads/policy.js';

/** A banned or suspended reader's vote is refused as their comment would be. */
async function refuseBannedVoter(tx: Tx, input: Parameters<typeof readStanding>[1]): Promise<void> {
  const { ban } = await readStanding(tx, input);
  if (ban?.kind === 'ban' || ban?.kind === 'suspend') throw new Forbidden('You are banned from taking part on this site.');
}

/**
 * Sets the reader's vote on a comment (0 withdraws it); one vote per reader and comment. A
 * vote needs a session: a reader without one names themself and becomes a guest with the vote.
 */
export async function voteOnComment(
  deps: Deps,
  caller: Caller,
  input: VoteRequest & { commentId: string },
): Promise<VoteResponse> {
  const ipHash = hashIp(deps.secret, caller.ip);
  await deps.limits.consume('vote', limitKeys(ipHash, caller.actor?.userId));
  const guestName = input.author ? cleanName(input.author.name) : '';
  await consumeGuestAllowance(deps, caller, guestName !== '');
  return transactional(deps.db, async (tx, afterCommit) => {
    const found = await lockComment(tx, input.commentId, caller.actor?.userId);
    if (!found || found.comment.status === 'deleted') throw new NotFound('Comment');
    assertCallerOnSite(caller, found.site, ownOrigin(deps));
    if (!canVote(found.comment)) throw new Forbidden('This comment cannot be voted on.');
    if (!acceptsChanges(effectiveThreadStatus(found.thread, found.site, deps.now()))) throw new ThreadClosed();
    await refuseBannedVoter(tx, { siteId: found.site.id, userId: caller.actor?.userId ?? null, email: caller.actor ? null : input.author?.email ?? null, ipHash, now: deps.now() });
    const voter = await actorOrNewGuest(deps, tx, {
      caller, action: 'vote', site: found.site, author: guestName ? { name: guestName, email: input.author?.email } : undefined,
    });
    const comment = found.comment;
    if (isCommentAuthor(voter.actor, comment)) throw new Forbidden('You cannot vote on your own comment.');
    const before = (found.myVote ?? 0) as VoteValue;
    const after = input.value;
    const result = { commentId: comment.id, myVote: after, ...(voter.session ? { session: voter.session } : {}) };
    if (before === after) {
      return { ...result, upvotes: comment.upvotes, downvotes: comment.downvotes };
    }
    const { score, upvotes, downvotes } = changeVote(comment, before, after);
    await tx.with(voteWrite(tx, { commentId: comment.id, userId: voter.actor.userId, value: after }))
      .update(comments).set({ upvotes, downvotes, score }).where(eq(comments.id, comment.id));
    await deps.changeLog.record({ tx, afterCommit, events: deps.events }, {
      name: 'vote.updated', siteId: comment.siteId, threadId: comment.threadId, commentId: comment.id, audienceUserId: null,
      payload: { commentId: comment.id, upvotes, downvotes },
    });
    return { ...result, upvotes, downvotes };
  });
}

/**
 * The comment with its site and thread status, locked: locking the comment serialises votes on
 * it, so its counters never drift from the votes. The reader's vote on it (none for a reader
 * without a session) comes in the same round trip, and cannot change meanwhile: every vote on
 * the comment waits for this lock.
 */
async function lockComment(tx: Tx, commentId: string, userId: string | undefined) {
  const [found] = await tx
    .select({ comment: comments, site: sites, thread: { status: threads.status, createdAt: threads.createdAt }, myVote: votes.value })
    .from(comments)
    .innerJoin(sites, eq(sites.id, comments.siteId))
    .innerJoin(threads, eq(threads.id, comments.threadId))
    .leftJoin(votes, and(eq(votes.commentId, comments.id), userId ? eq(votes.userId, userId) : sql`false`))
    .where(eq(comments.id, commentId))
    .for('update', { of: comments })
    .limit(1);
  return found;
}

/** Sets or withdraws the reader's vote, as a CTE of the statement that updates the comment's counters. */
function voteWrite(tx: Tx, { commentId, userId, value }: { commentId: string; userId: string; value: VoteValue }) {
  const write = value === 0
    ? sql`delete from ${votes} where comment_id = ${commentId} and user_id = ${userId} returning 1 as one`
    : sql`insert into ${votes} (comment_id, user_id, value) values (${commentId}, ${userId}, ${value})
        on conflict (comment_id, user_id) do update set value = excluded.value returning 1 as one`;
  return tx.$with('vote', { one: sql<number>`1` }).as(write);
}
