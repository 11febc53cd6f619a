/**
 * What an account change does to threads (a deletion, an anonymisation, a claim): the same
 * writes the comments and votes services make for one comment, here for many, each logged
 * through the change log so live readers and the page cache learn of it.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import type { ChangeContext, RecordedChange } from '../change-log.js';
import { deletionOutcome } from '../comments/placeholders.js';
import { toApiComment, type CommentRow } from '../comments/serialize.js';
import type { Tx } from '../db/index.js';
import { comments, threads } from '../db/schema.js';
import type { Deps } from '../deps.js';
import type { ThreadChangeName } from '../events.js';

/** Any change the log records, as a list can hold it. */
export type AnyChange = { [K in ThreadChangeName]: RecordedChange<K> }[ThreadChangeName];

/** The name an erased or anonymised author's comments carry. */
export const DELETED_AUTHOR = 'Deleted user';

/**
 * Records the changes, thread by thread in a fixed order (a change's own order kept within its
 * thread): two such transactions take the threads' log locks in the same order, so they never
 * wait on each other in a circle. Called last, as the log's lock is best held just before commit.
 */
export async function recordAll(deps: Deps, context: Omit<ChangeContext, 'events'>, changes: AnyChange[]): Promise<void> {
  const ordered = [...changes].sort((a, b) => (a.threadId < b.threadId ? -1 : a.threadId > b.threadId ? 1 : 0));
  for (const change of ordered) {
    await deps.changeLog.record({ ...context, events: deps.events }, change as RecordedChange<ThreadChangeName>);
  }
}

/**
 * Erases comments as their author deleting them one by one would (comments/service.ts
 * deleteComment): text gone, a placeholder where replies stand, the approved count kept right.
 * The rows must be locked by the caller.
 */
export async function eraseComments(tx: Tx, now: Date, rows: CommentRow[]): Promise<AnyChange[]> {
  const changes: AnyChange[] = [];
  const countDelta = new Map<string, number>();
  for (const current of rows) {
    if (current.status === 'deleted') continue;
    const [row] = await tx.update(comments)
      .set({ status: 'deleted', bodySource: '', bodyHtml: '', deletedAt: now })
      .where(eq(comments.id, current.id))
      .returning();
    if (current.status === 'approved') countDelta.set(row.threadId, (countDelta.get(row.threadId) ?? 0) - 1);
    // Decided after each erasure, as for single deletions: a later one may prune an earlier placeholder.
    const outcome = await deletionOutcome(tx, row);
    changes.push({
      name: 'comment.deleted', siteId: row.siteId, threadId: row.threadId, commentId: row.id,
      audienceUserId: current.status === 'approved' ? null : row.authorId,
      payload: { commentId: row.id, placeholder: outcome.keepsPlace ? toApiComment(row) : null, prunedIds: outcome.prunedIds },
    });
  }
  for (const [threadId, delta] of countDelta) {
    await tx.update(threads).set({ commentCount: sql`${threads.commentCount} + ${delta}` }).where(eq(threads.id, threadId));
  }
  return changes;
}

/** A comment whose author changed (a new name, or none): readers who may see it get it again. */
export function authorChanged(row: CommentRow): AnyChange | null {
  if (row.status !== 'approved' && row.status !== 'pending') return null;
  return {
    name: 'comment.updated', siteId: row.siteId, threadId: row.threadId, commentId: row.id,
    audienceUserId: row.status === 'approved' ? null : row.authorId, payload: { comment: toApiComment(row) },
  };
}

/**
 * Takes votes off their comments' counters (the vote rows themselves are deleted by the
 * caller): one update per comment, and a vote change for readers where the comment shows.
 * The comments must be locked by the caller, so no vote lands on them meanwhile.
 */
export async function uncountVotes(tx: Tx, dropped: Array<{ commentId: string; value: number }>): Promise<AnyChange[]> {
  const deltas = new Map<string, { up: number; down: number }>();
  for (const { commentId, value } of dropped) {
    const delta = deltas.get(commentId) ?? { up: 0, down: 0 };
    if (value === 1) delta.up++; else if (value === -1) delta.down++;
    deltas.set(commentId, delta);
  }
  const changes: AnyChange[] = [];
  for (const [commentId, { up, down }] of [...deltas].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (up === 0 && down === 0) continue;
    const [row] = await tx.update(comments)
      .set({
        upvotes: sql`${comments.upvotes} - ${up}`, downvotes: sql`${comments.downvotes} - ${down}`,
        score: sql`${comments.score} - ${up - down}`,
      })
      .where(eq(comments.id, commentId))
      .returning({ id: comments.id, siteId: comments.siteId, threadId: comments.threadId, status: comments.status, upvotes: comments.upvotes, downvotes: comments.downvotes });
    if (!row || (row.status !== 'approved' && row.status !== 'deleted')) continue;
    changes.push({
      name: 'vote.updated', siteId: row.siteId, threadId: row.threadId, commentId: row.id, audienceUserId: null,
      payload: { commentId: row.id, upvotes: row.upvotes, downvotes: row.downvotes },
    });
  }
  return changes;
}

/** Locks comments in id order (the order every multi-comment change here takes them in). */
export async function lockComments(tx: Tx, where: SQL | undefined): Promise<CommentRow[]> {
  return tx.select().from(comments).where(where).orderBy(comments.id).for('update');
}
