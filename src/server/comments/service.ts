import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { CommentResponse, DeleteResponse, EditResponse } from '../../shared/api.js';
import { actorOrNewGuest, assertCallerOnSite, consumeGuestAllowance, requireActor } from '../auth/service.js';
import type { SessionAction } from '../auth/policy.js';
import { transactional, type Tx } from '../db/index.js';
import { commentRevisions, comments, sites, threads } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { BadRequest, EditWindowClosed, Forbidden, NameTaken, NotFound, ThreadClosed } from '../errors.js';
import { nameBelongsToMember } from '../auth/names.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { cleanBody, cleanName } from '../text.js';
import { deletionOutcome } from './placeholders.js';
import { editableUntil, isCommentAuthor, isWithinEditWindow } from './policy.js';
import { decideNewComment, refuseBannedWords } from '../moderation/phases.js';
import { readStanding } from '../moderation/standing.js';
import { acceptsChanges, acceptsNewComments, effectiveThreadStatus } from '../threads/policy.js';
import { renderMarkdown } from './render.js';
import type { PostCommentBody } from './schemas.js';
import { toApiComment, type CommentRow } from './serialize.js';
import { getThreadForCaller } from '../threads/service.js';

export interface PostCommentInput extends PostCommentBody {
  threadId: string;
}

/** The comment, and what only its author is told: until when they may change it. */
function asAuthorSees(row: CommentRow, site: { editWindowSeconds: number }): EditResponse {
  return { comment: toApiComment(row), editableUntil: editableUntil(row, site).toISOString() };
}

/**
 * The thread and its site, once the caller is known to belong there. Read before the write's
 * transaction: nothing locks them there either, and the transaction is the shorter for it.
 */
async function loadOpenThread(deps: Deps, caller: Caller, threadId: string) {
  const found = await getThreadForCaller(deps, caller, threadId);
  const status = effectiveThreadStatus(found.thread, found.site, deps.now());
  if (!acceptsNewComments(status)) throw new ThreadClosed(status === 'locked' ? 'locked' : 'closed');
  return found;
}

/**
 * The parent of a reply, share-locked: a concurrent delete of it waits for the reply to commit
 * (and then keeps its place for it), or commits first and the reply is refused.
 */
async function loadParent(tx: Tx, threadId: string, parentId: string | null | undefined) {
  if (!parentId) return null;
  const [parent] = await tx.select().from(comments).where(eq(comments.id, parentId)).for('share').limit(1);
  if (!parent || parent.threadId !== threadId) throw new BadRequest('parentId is not a comment of this thread.');
  if (parent.status !== 'approved') throw new BadRequest('That comment can no longer be replied to.');
  return parent;
}

export async function postComment(deps: Deps, caller: Caller, input: PostCommentInput): Promise<CommentResponse> {
  const ipHash = hashIp(deps.secret, caller.ip);
  await deps.limits.consume('post', limitKeys(ipHash, caller.actor?.userId));
  const body = cleanBody(input.body).trim();
  const guestName = input.author ? cleanName(input.author.name) : undefined;
  if (!body) throw new BadRequest('body must not be empty', { body: ['body must not be empty'] });
  await consumeGuestAllowance(deps, caller, guestName !== undefined && guestName !== '');
  const { thread, site } = await loadOpenThread(deps, caller, input.threadId);
  const writerEmail = caller.actor ? null : input.author?.email ?? null;
  const standing = await readStanding(deps.db, { siteId: site.id, userId: caller.actor?.userId ?? null, email: writerEmail, ipHash, now: deps.now() });
  const decision = await decideNewComment(deps.db, {
    site, authorId: caller.actor?.userId ?? null, isGuest: caller.actor?.isGuest ?? true, body, ipHash, standing,
    hp: input.hp, composeMs: input.composeMs, now: deps.now(),
  });
  return transactional(deps.db, async (tx, afterCommit) => {
    const parent = await loadParent(tx, thread.id, input.parentId);
    const author = await actorOrNewGuest(deps, tx, {
      caller, action: 'comment', site, author: guestName ? { name: guestName, email: input.author?.email } : undefined,
      missingAuthor: () => new BadRequest('A guest must give a name.', { author: ['name is required'] }),
    });
    // A guest of some standing signing this comment with a new name: that name is checked too.
    if (author.actor.isGuest && !author.session && guestName && await nameBelongsToMember(tx, site.id, guestName)) throw new NameTaken();
    const id = randomUUID();
    const { status } = decision;
    const row = await insertComment(tx, {
      id,
      siteId: site.id,
      threadId: thread.id,
      parentId: parent?.id ?? null,
      rootId: parent?.rootId ?? id,
      depth: parent ? parent.depth + 1 : 0,
      authorId: author.actor.userId,
      // A guest may sign each comment with the name they type; an account signs with its own.
      authorName: author.actor.isGuest ? guestName ?? author.actor.displayName : author.actor.displayName,
      authorEmail: author.actor.isGuest ? input.author?.email ?? null : null,
      authorIsGuest: author.actor.isGuest,
      bodySource: body,
      bodyHtml: renderMarkdown(body),
      status,
      moderationReasons: decision.reasons,
      shadowed: decision.shadowed,
      ipHash,
      createdAt: deps.now(),
    });
    if (status === 'pending' && !row.shadowed) {
      afterCommit(() => deps.events.emit('moderation.changed', { siteId: site.id, commentId: row.id, status, flagCount: 0 }));
    }
    await deps.outbox.add({ tx, afterCommit }, { type: 'comment.created', siteId: site.id, threadId: thread.id, commentId: row.id });
    await deps.changeLog.record({ tx, afterCommit, events: deps.events }, {
      name: 'comment.created', siteId: site.id, threadId: thread.id, commentId: row.id,
      audienceUserId: status === 'approved' ? null : row.authorId, payload: { comment: toApiComment(row) },
    });
    return { ...asAuthorSees(row, site), ...(author.session ? { session: author.session } : {}) };
  });
}

/**
 * Inserts a comment and, when readers see it, counts it on its thread: one statement, so the
 * thread's row is locked one round trip later than with two.
 */
export async function insertComment(tx: Tx, values: typeof comments.$inferInsert): Promise<CommentRow> {
  const counted = tx.$with('counted', { one: sql<number>`1` }).as(
    // The forum lists threads by their last published comment: moved in the same statement.
    sql`update ${threads} set comment_count = comment_count + 1, last_activity_at = greatest(last_activity_at, ${values.createdAt ?? new Date()}::timestamptz)
      where id = ${values.threadId} returning 1 as one`);
  const into = values.status === 'approved' ? tx.with(counted) : tx;
  const [row] = await into.insert(comments).values(values).returning();
  return row;
}

async function adjustCommentCount(tx: Tx, threadId: string, delta: number): Promise<void> {
  await tx.update(threads).set({ commentCount: sql`${threads.commentCount} + ${delta}` }).where(eq(threads.id, threadId));
}

/** Locks the comment and checks that the caller may still change it, on its site, in an open thread. */
async function loadOwnComment(tx: Tx, deps: Deps, caller: Caller, input: { commentId: string; action: SessionAction }) {
  const actor = requireActor(caller, input.action, 'Only the author can change a comment.');
  const [found] = await tx
    .select({ comment: comments, site: sites, thread: { status: threads.status, createdAt: threads.createdAt } })
    .from(comments)
    .innerJoin(sites, eq(sites.id, comments.siteId))
    .innerJoin(threads, eq(threads.id, comments.threadId))
    .where(eq(comments.id, input.commentId))
    .for('update', { of: comments })
    .limit(1);
  if (!found || found.comment.status === 'deleted') throw new NotFound('Comment');
  assertCallerOnSite(caller, found.site, ownOrigin(deps));
  if (!isCommentAuthor(actor, found.comment)) throw new Forbidden('Only the author can change this comment.');
  if (!acceptsChanges(effectiveThreadStatus(found.thread, found.site, deps.now()))) throw new ThreadClosed();
  if (!isWithinEditWindow(found.comment, found.site, deps.now())) throw new EditWindowClosed();
  return found;
}

export async function editComment(
  deps: Deps,
  caller: Caller,
  input: { commentId: string; body: string },
): Promise<EditResponse> {
  const body = cleanBody(input.body).trim();
  if (!body) throw new BadRequest('body must not be empty', { body: ['body must not be empty'] });
  return transactional(deps.db, async (tx, afterCommit) => {
    const { comment: current, site } = await loadOwnComment(tx, deps, caller, { commentId: input.commentId, action: 'edit-own' });
    refuseBannedWords(body, site);
    await tx.insert(commentRevisions).values({ commentId: current.id, bodySource: current.bodySource, editedBy: current.authorId, createdAt: deps.now() });
    const [row] = await tx
      .update(comments)
      .set({ bodySource: body, bodyHtml: renderMarkdown(body), editedAt: deps.now() })
      .where(eq(comments.id, current.id))
      .returning();
    await deps.outbox.add({ tx, afterCommit }, { type: 'comment.updated', siteId: row.siteId, threadId: row.threadId, commentId: row.id });
    await deps.changeLog.record({ tx, afterCommit, events: deps.events }, {
      name: 'comment.updated', siteId: row.siteId, threadId: row.threadId, commentId: row.id,
      audienceUserId: row.status === 'approved' ? null : row.authorId, payload: { comment: toApiComment(row) },
    });
    return asAuthorSees(row, site);
  });
}

/**
 * Deletes the author's comment. Its text is erased at once; whether it keeps its place as a
 * placeholder, and which deleted ancestors go with it, is the one rule of placeholders.ts.
 */
export async function deleteComment(deps: Deps, caller: Caller, input: { commentId: string }): Promise<DeleteResponse> {
  return transactional(deps.db, async (tx, afterCommit) => {
    const { comment: current } = await loadOwnComment(tx, deps, caller, { commentId: input.commentId, action: 'delete-own' });
    const [row] = await tx
      .update(comments)
      .set({ status: 'deleted', bodySource: '', bodyHtml: '', deletedAt: deps.now() })
      .where(eq(comments.id, current.id))
      .returning();
    if (current.status === 'approved') await adjustCommentCount(tx, row.threadId, -1);
    const outcome = await deletionOutcome(tx, row);
    const placeholder = outcome.keepsPlace ? toApiComment(row) : null;
    await deps.outbox.add({ tx, afterCommit }, { type: 'comment.deleted', siteId: row.siteId, threadId: row.threadId, commentId: row.id });
    await deps.changeLog.record({ tx, afterCommit, events: deps.events }, {
      name: 'comment.deleted', siteId: row.siteId, threadId: row.threadId, commentId: row.id,
      audienceUserId: current.status === 'approved' ? null : row.authorId,
      payload: { commentId: row.id, placeholder, prunedIds: outcome.prunedIds },
    });
    return { deleted: true, placeholder, prunedIds: outcome.prunedIds };
  });
}
