/**
 * What moderators do to a comment. Each action locks the comment, checks the moderator's role
 * on its site, changes it, keeps the thread's count right, tells live readers what they now
 * see (the same events authors' own changes send), tells other moderators' dashboards, and
 * writes the audit entry: all in one transaction.
 */
import { eq, sql } from 'drizzle-orm';
import type { ApiComment } from '../../shared/api.js';
import { deletionOutcome, PLACEHOLDER_STATUSES } from '../comments/placeholders.js';
import { renderMarkdown } from '../comments/render.js';
import { toApiComment, type CommentRow } from '../comments/serialize.js';
import { transactional, type Tx } from '../db/index.js';
import { commentRevisions, comments, flags, sites, threads } from '../db/schema.js';
import type { Actor, Caller, Deps } from '../deps.js';
import { BadRequest, Conflict, NotFound } from '../errors.js';
import { cleanBody } from '../text.js';
import { requireModeratorOf } from './access.js';
import { appendAudit } from './audit.js';
import { commentActionApplies, type ModeratedCommentAction } from './policy.js';

export const COMMENT_ACTIONS = ['approve', 'reject', 'spam', 'delete', 'restore', 'pin', 'unpin', 'edit'] as const satisfies readonly ModeratedCommentAction[];
export type CommentAction = (typeof COMMENT_ACTIONS)[number];

export interface CommentActionInput {
  commentId: string;
  action: CommentAction;
  /** For reject: the public reason shown in place of the body. */
  reason?: string;
  /** For edit: the new markdown. */
  body?: string;
}

type Change = Partial<Pick<CommentRow, 'status' | 'moderationNote' | 'pinned' | 'shadowed' | 'flagCount' | 'bodySource' | 'bodyHtml' | 'editedAt' | 'deletedAt'>>;

const notApplicable: Record<CommentAction, string> = {
  approve: 'This comment is published already, and nothing holds it.',
  reject: 'This comment is rejected already.',
  spam: 'This comment is marked as spam already.',
  delete: 'This comment is deleted already.',
  restore: 'Only a rejected comment or spam can be restored (a deleted comment\'s text is gone).',
  pin: 'Only a published top-level comment that is not pinned can be pinned.',
  unpin: 'This comment is not pinned.',
  edit: 'A deleted comment has no text left to edit.',
};

/** What an action changes, or why it cannot apply to the comment as it is (policy.ts's rule). */
function changeFor(current: CommentRow, input: CommentActionInput, now: Date): Change {
  if (!commentActionApplies(input.action, current)) throw new Conflict(notApplicable[input.action]);
  switch (input.action) {
    case 'approve':
      return { status: 'approved', shadowed: false, flagCount: 0, moderationNote: null };
    case 'reject':
      return { status: 'rejected', moderationNote: input.reason?.trim() || null, pinned: false };
    case 'spam':
      return { status: 'spam', moderationNote: null, pinned: false };
    case 'delete':
      return { status: 'deleted', bodySource: '', bodyHtml: '', deletedAt: now, pinned: false, moderationNote: null };
    case 'restore':
      return { status: 'approved', moderationNote: null, flagCount: 0 };
    case 'pin':
    case 'unpin':
      return { pinned: input.action === 'pin' };
    case 'edit': {
      const body = cleanBody(input.body ?? '').trim();
      if (!body) throw new BadRequest('body must not be empty', { body: ['body must not be empty'] });
      return { bodySource: body, bodyHtml: renderMarkdown(body), editedAt: now };
    }
  }
}

/** The audit's picture of a comment: what the action may have changed. */
function auditView(row: CommentRow) {
  return { status: row.status, pinned: row.pinned, moderationNote: row.moderationNote, flagCount: row.flagCount, body: row.bodySource };
}

const isPublic = (row: Pick<CommentRow, 'status'>) => row.status === 'approved';

/**
 * Tells live readers what they see now: a comment that became public arrives, one that stopped
 * being public goes (leaving its placeholder where the one rule says), one still public changes;
 * a comment nobody else sees concerns its author alone.
 */
async function recordVisibleChange(deps: Deps, tx: Tx, afterCommit: (fn: () => void) => void, before: CommentRow, after: CommentRow): Promise<void> {
  const context = { tx, afterCommit, events: deps.events };
  const base = { siteId: after.siteId, threadId: after.threadId, commentId: after.id };
  const audienceUserId = isPublic(before) || isPublic(after) ? null : after.authorId;
  if (isPublic(after) && !isPublic(before)) {
    await deps.changeLog.record(context, { ...base, name: 'comment.created', audienceUserId, payload: { comment: toApiComment(after) } });
  } else if (isPublic(after) || !PLACEHOLDER_STATUSES.has(after.status)) {
    await deps.changeLog.record(context, { ...base, name: 'comment.updated', audienceUserId, payload: { comment: toApiComment(after) } });
  } else {
    const outcome = await deletionOutcome(tx, after);
    await deps.changeLog.record(context, {
      ...base, name: 'comment.deleted', audienceUserId,
      payload: { commentId: after.id, placeholder: outcome.keepsPlace ? toApiComment(after) : null, prunedIds: outcome.prunedIds },
    });
  }
}

async function lockForModeration(tx: Tx, commentId: string) {
  const [found] = await tx.select({ comment: comments, site: sites }).from(comments)
    .innerJoin(sites, eq(sites.id, comments.siteId))
    .where(eq(comments.id, commentId)).for('update', { of: comments }).limit(1);
  if (!found) throw new NotFound('Comment');
  return found;
}

export async function moderateComment(deps: Deps, caller: Caller, input: CommentActionInput): Promise<{ comment: ApiComment }> {
  return transactional(deps.db, async (tx, afterCommit) => {
    const { comment: current, site } = await lockForModeration(tx, input.commentId);
    const moderator = await requireModeratorOf(deps, caller, site, tx);
    const now = deps.now();
    const change = changeFor(current, input, now);
    if (input.action === 'edit') await tx.insert(commentRevisions).values({ commentId: current.id, bodySource: current.bodySource, editedBy: moderator.userId, createdAt: now });
    const [row] = await tx.update(comments).set(change).where(eq(comments.id, current.id)).returning();
    // A moderator who keeps the comment has answered its flags: readers may flag it anew.
    if (input.action === 'approve' || input.action === 'restore') await tx.delete(flags).where(eq(flags.commentId, row.id));
    const delta = Number(isPublic(row)) - Number(isPublic(current));
    if (delta !== 0) await tx.update(threads).set({ commentCount: sql`${threads.commentCount} + ${delta}` }).where(eq(threads.id, row.threadId));
    await recordModeration(deps, tx, afterCommit, { moderator, current, row, action: input.action });
    return { comment: toApiComment(row) };
  });
}

/** What every moderator action on a comment does besides the change itself: live readers, dashboards, the audit. */
export async function recordModeration(
  deps: Deps,
  tx: Tx,
  afterCommit: (fn: () => void) => void,
  input: { moderator: Pick<Actor, 'userId' | 'displayName'> | null; current: CommentRow; row: CommentRow; action: string },
): Promise<void> {
  const { current, row } = input;
  await appendAudit(tx, deps.now(), {
    siteId: row.siteId, actor: input.moderator ?? { userId: null, displayName: 'Parley' }, action: `comment.${input.action}`,
    targetType: 'comment', targetId: row.id, before: auditView(current), after: auditView(row),
  });
  afterCommit(() => deps.events.emit('moderation.changed', { siteId: row.siteId, commentId: row.id, status: row.status, flagCount: row.flagCount }));
  await deps.outbox.add({ tx, afterCommit }, {
    type: 'comment.moderated', siteId: row.siteId, threadId: row.threadId, commentId: row.id,
    action: input.action, previousStatus: current.status, moderatorId: input.moderator?.userId ?? null,
  });
  await recordVisibleChange(deps, tx, afterCommit, current, row);
}
