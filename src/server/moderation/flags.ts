/**
 * Readers flag comments, one flag each. When flags from as many addresses as the site's threshold
 * stand, a published comment is hidden until a moderator decides (approving it answers the
 * flags, which then go); every flag shows in the moderators' Flagged queue at once.
 */
import { eq, sql } from 'drizzle-orm';
import type { FlagReason } from '../../shared/api.js';
import { actorOrNewGuest, assertCallerOnSite, consumeGuestAllowance } from '../auth/service.js';
import { isCommentAuthor } from '../comments/policy.js';
import { transactional } from '../db/index.js';
import { comments, flags, sites } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { Forbidden, NotFound } from '../errors.js';
import { hashIp } from '../limits/service.js';
import { cleanName, stripControls } from '../text.js';
import { recordModeration } from './comment-actions.js';

export interface FlagInput {
  commentId: string;
  reason: FlagReason;
  note?: string;
  author?: { name: string; email?: string | null };
}

export async function flagComment(deps: Deps, caller: Caller, input: FlagInput): Promise<{ flagged: true; session?: { token: string; expiresAt: string; userId: string } }> {
  const guestName = input.author ? cleanName(input.author.name) : '';
  await consumeGuestAllowance(deps, caller, guestName !== '');
  return transactional(deps.db, async (tx, afterCommit) => {
    const [found] = await tx.select({ comment: comments, site: sites }).from(comments)
      .innerJoin(sites, eq(sites.id, comments.siteId)).where(eq(comments.id, input.commentId)).for('update', { of: comments }).limit(1);
    if (!found || (found.comment.status !== 'approved' && found.comment.status !== 'pending')) throw new NotFound('Comment');
    assertCallerOnSite(caller, found.site, ownOrigin(deps));
    const flagger = await actorOrNewGuest(deps, tx, {
      caller, action: 'flag', site: found.site, author: guestName ? { name: guestName, email: input.author?.email } : undefined,
    });
    if (isCommentAuthor(flagger.actor, found.comment)) throw new Forbidden('You cannot flag your own comment.');
    const added = await tx.insert(flags).values({
      commentId: found.comment.id, userId: flagger.actor.userId, reason: input.reason, note: input.note ? stripControls(input.note).trim() || null : null,
      ipHash: hashIp(deps.secret, caller.ip),
    }).onConflictDoNothing().returning({ one: sql`1` });
    const result = { flagged: true as const, ...(flagger.session ? { session: flagger.session } : {}) };
    // A second flag from the same reader changes nothing.
    if (added.length === 0) return result;
    const current = found.comment;
    await deps.outbox.add({ tx, afterCommit }, { type: 'comment.flagged', siteId: current.siteId, threadId: current.threadId, commentId: current.id });
    const flagCount = current.flagCount + 1;
    // One address flagging under several guest names is one voice: it alone cannot hide a comment.
    const [{ voices }] = await tx.select({ voices: sql<number>`count(distinct coalesce(${flags.ipHash}, ${flags.userId}::text))::int` })
      .from(flags).where(eq(flags.commentId, current.id));
    const hide = current.status === 'approved' && voices >= found.site.flagThreshold;
    const [row] = await tx.update(comments).set({
      flagCount,
      ...(hide ? { status: 'pending' as const, pinned: false, moderationReasons: [...new Set([...current.moderationReasons, 'flags'])] } : {}),
    }).where(eq(comments.id, current.id)).returning();
    if (hide) await tx.execute(sql`update threads set comment_count = comment_count - 1 where id = ${row.threadId}`);
    if (hide) {
      // Parley's own action, on the readers' word: audited, and readers see the comment go.
      await recordModeration(deps, tx, afterCommit, { moderator: null, current, row, action: 'hidden-by-flags' });
    } else {
      afterCommit(() => deps.events.emit('moderation.changed', { siteId: row.siteId, commentId: row.id, status: row.status, flagCount }));
    }
    return result;
  });
}
