import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { ApiComment, CommentResponse, DeleteResponse } from '../../shared/api.js';
import { actorOrNewGuest } from '../auth/service.js';
import { transactional, type Tx } from '../db/index.js';
import { comments, sites, threads } from '../db/schema.js';
import type { Actor, Deps } from '../deps.js';
import { BadRequest, EditWindowClosed, Forbidden, NotFound, ThreadClosed, Unauthorized } from '../errors.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { recordThreadChange } from '../realtime/log.js';
import { editableUntil, isCommentAuthor, isWithinEditWindow, mustHoldForReview } from './policy.js';
import { renderMarkdown } from './render.js';
import type { PostCommentBody } from './schemas.js';
import { toApiComment, type CommentRow } from './serialize.js';

export interface PostCommentInput extends PostCommentBody {
  threadId: string;
  ip?: string;
}

function asAuthorSees(row: CommentRow, site: { editWindowSeconds: number }): ApiComment {
  return { ...toApiComment(row), isMine: true, myVote: 0, editableUntil: editableUntil(row, site).toISOString() };
}

async function loadThreadForPosting(tx: Tx, threadId: string) {
  const [found] = await tx
    .select({ thread: threads, site: sites })
    .from(threads)
    .innerJoin(sites, eq(sites.id, threads.siteId))
    .where(eq(threads.id, threadId))
    .limit(1);
  if (!found) throw new NotFound('Thread');
  if (found.thread.status !== 'open') throw new ThreadClosed();
  return found;
}

async function loadParent(tx: Tx, threadId: string, parentId: string | null | undefined) {
  if (!parentId) return null;
  const [parent] = await tx.select().from(comments).where(eq(comments.id, parentId)).limit(1);
  if (!parent || parent.threadId !== threadId) throw new BadRequest('parentId is not a comment of this thread.');
  if (parent.status !== 'approved') throw new BadRequest('That comment can no longer be replied to.');
  return parent;
}

export async function postComment(deps: Deps, actor: Actor | null, input: PostCommentInput): Promise<CommentResponse> {
  const ipHash = hashIp(deps.secret, input.ip);
  await deps.limits.consume('post', limitKeys(ipHash, actor?.userId));
  return transactional(deps.db, async (tx, afterCommit) => {
    const { thread, site } = await loadThreadForPosting(tx, input.threadId);
    const parent = await loadParent(tx, thread.id, input.parentId);
    if (!actor && !input.author) throw new BadRequest('A guest must give a name.', { author: ['name is required'] });
    const now = deps.now();
    const author = await actorOrNewGuest(tx, {
      actor, guestsAllowed: site.guestsAllowed, name: input.author?.name, email: input.author?.email, now,
    });
    const id = randomUUID();
    const status = mustHoldForReview(site, author.actor) ? 'pending' : 'approved';
    const [row] = await tx.insert(comments).values({
      id,
      siteId: site.id,
      threadId: thread.id,
      parentId: parent?.id ?? null,
      rootId: parent?.rootId ?? id,
      depth: parent ? parent.depth + 1 : 0,
      authorId: author.actor.userId,
      // A guest may sign each comment with the name they type; an account signs with its own.
      authorName: author.actor.isGuest ? input.author?.name ?? author.actor.displayName : author.actor.displayName,
      authorEmail: input.author?.email ?? null,
      authorIsGuest: author.actor.isGuest,
      bodySource: input.body,
      bodyHtml: renderMarkdown(input.body),
      status,
      ipHash,
      createdAt: now,
    }).returning();
    if (status === 'approved') await adjustCommentCount(tx, thread.id, 1);
    await recordThreadChange({ tx, afterCommit, events: deps.events }, {
      name: 'comment.created', siteId: site.id, threadId: thread.id,
      audienceUserId: status === 'approved' ? null : row.authorId, payload: { comment: toApiComment(row) },
    });
    return { comment: asAuthorSees(row, site), ...(author.session ? { session: author.session } : {}) };
  });
}

async function adjustCommentCount(tx: Tx, threadId: string, delta: number): Promise<void> {
  await tx.update(threads).set({ commentCount: sql`${threads.commentCount} + ${delta}` }).where(eq(threads.id, threadId));
}

/** Locks the comment and checks that the actor may still change it. */
async function loadOwnComment(tx: Tx, deps: Deps, actor: Actor | null, commentId: string) {
  if (!actor) throw new Unauthorized('Only the author can change a comment.');
  const [found] = await tx
    .select({ comment: comments, editWindowSeconds: sites.editWindowSeconds })
    .from(comments)
    .innerJoin(sites, eq(sites.id, comments.siteId))
    .where(eq(comments.id, commentId))
    .for('update', { of: comments })
    .limit(1);
  if (!found || found.comment.status === 'deleted') throw new NotFound('Comment');
  if (!isCommentAuthor(actor, found.comment)) throw new Forbidden('Only the author can change this comment.');
  if (!isWithinEditWindow(found.comment, found, deps.now())) throw new EditWindowClosed();
  return found;
}

export async function editComment(
  deps: Deps,
  actor: Actor | null,
  input: { commentId: string; body: string },
): Promise<{ comment: ApiComment }> {
  return transactional(deps.db, async (tx, afterCommit) => {
    const { comment: current, editWindowSeconds } = await loadOwnComment(tx, deps, actor, input.commentId);
    const [row] = await tx
      .update(comments)
      .set({ bodySource: input.body, bodyHtml: renderMarkdown(input.body), editedAt: deps.now() })
      .where(eq(comments.id, current.id))
      .returning();
    await recordThreadChange({ tx, afterCommit, events: deps.events }, {
      name: 'comment.updated', siteId: row.siteId, threadId: row.threadId,
      audienceUserId: row.status === 'approved' ? null : row.authorId, payload: { comment: toApiComment(row) },
    });
    return { comment: asAuthorSees(row, { editWindowSeconds }) };
  });
}

/**
 * Deletes the author's comment. Its text is erased at once; a comment with replies keeps
 * its place as a placeholder so the conversation under it still reads.
 */
export async function deleteComment(
  deps: Deps,
  actor: Actor | null,
  input: { commentId: string },
): Promise<DeleteResponse> {
  return transactional(deps.db, async (tx, afterCommit) => {
    const { comment: current } = await loadOwnComment(tx, deps, actor, input.commentId);
    const [child] = await tx
      .select({ id: comments.id })
      .from(comments)
      .where(and(eq(comments.parentId, current.id), inArray(comments.status, ['approved', 'pending', 'deleted'])))
      .limit(1);
    const [row] = await tx
      .update(comments)
      .set({ status: 'deleted', bodySource: '', bodyHtml: '', deletedAt: deps.now() })
      .where(eq(comments.id, current.id))
      .returning();
    if (current.status === 'approved') await adjustCommentCount(tx, row.threadId, -1);
    const placeholder = child ? toApiComment(row) : null;
    await recordThreadChange({ tx, afterCommit, events: deps.events }, {
      name: 'comment.deleted', siteId: row.siteId, threadId: row.threadId,
      audienceUserId: current.status === 'approved' ? null : row.authorId, payload: { commentId: row.id, placeholder },
    });
    return { deleted: true, placeholder };
  });
}
