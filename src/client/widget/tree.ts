/**
 * Pure operations on the comment tree as the API returns it (top-level comments,
 * each with nested `replies`). Every function returns a new tree and leaves the
 * old one untouched, so preact sees what changed.
 */
import type { ApiComment } from '../../shared/api.js';

export function findComment(list: ApiComment[], id: string): ApiComment | null {
  for (const comment of list) {
    if (comment.id === id) return comment;
    const found = findComment(comment.replies, id);
    if (found) return found;
  }
  return null;
}

/** Applies `change` to the comment `id` wherever it is; `null` from `change` removes it. */
export function mapComment(
  list: ApiComment[],
  id: string,
  change: (comment: ApiComment) => ApiComment | null,
): ApiComment[] {
  let changed = false;
  const result: ApiComment[] = [];
  for (const comment of list) {
    if (comment.id === id) {
      const replacement = change(comment);
      if (replacement) result.push(replacement);
      changed = true;
      continue;
    }
    const replies = mapComment(comment.replies, id, change);
    if (replies !== comment.replies) {
      changed = true;
      result.push({ ...comment, replies });
    } else {
      result.push(comment);
    }
  }
  return changed ? result : list;
}

/**
 * A newer copy of a comment we already show. Event payloads go to everyone, so they
 * lack the reader's own `isMine`/`myVote`: keep ours. Replies already shown are kept too.
 */
export function mergeComment(old: ApiComment, update: ApiComment): ApiComment {
  return {
    ...old,
    ...update,
    replies: old.replies.length > 0 ? old.replies : update.replies,
    isMine: update.isMine ?? old.isMine,
    myVote: update.myVote ?? old.myVote,
    editableUntil: update.editableUntil ?? old.editableUntil,
  };
}

/**
 * Adds a comment, or merges it into the copy already shown (the reader's own comment
 * arrives both in the POST response and as a live event). A reply goes last under its
 * parent; a reply whose parent is not loaded is left out. A top-level comment goes
 * first, or last when `atEnd` (oldest-first order).
 */
export function upsertComment(list: ApiComment[], comment: ApiComment, atEnd: boolean): ApiComment[] {
  if (findComment(list, comment.id)) return mapComment(list, comment.id, (old) => mergeComment(old, comment));
  if (comment.parentId === null) return atEnd ? [...list, comment] : [comment, ...list];
  return mapComment(list, comment.parentId, (parent) => ({ ...parent, replies: [...parent.replies, comment] }));
}

/**
 * Removes a deleted comment. One with replies keeps its place as a placeholder so its
 * replies stay: the server's when given, else one made here.
 */
export function removeComment(list: ApiComment[], id: string, placeholder: ApiComment | null): ApiComment[] {
  const result = mapComment(list, id, (old) => {
    if (placeholder) return mergeComment(old, placeholder);
    if (old.replies.length === 0) return null;
    return { ...old, status: 'deleted', author: null, html: '', editedAt: null, isMine: false };
  });
  return result === list ? list : withoutEmptyPlaceholders(result);
}

/** A placeholder whose last reply went has nothing left to hold in place. */
function withoutEmptyPlaceholders(list: ApiComment[]): ApiComment[] {
  let changed = false;
  const result = list.flatMap((comment) => {
    const replies = withoutEmptyPlaceholders(comment.replies);
    if (comment.status === 'deleted' && replies.length === 0) {
      changed = true;
      return [];
    }
    if (replies === comment.replies) return [comment];
    changed = true;
    return [{ ...comment, replies }];
  });
  return changed ? result : list;
}

/** A later page, dropping earlier copies of its comments (a live comment may have been shown before its page). */
export function appendPage(list: ApiComment[], page: ApiComment[]): ApiComment[] {
  const incoming = new Set(page.map((comment) => comment.id));
  return [...list.filter((comment) => !incoming.has(comment.id)), ...page];
}

/** Whether a comment counts toward the thread's comment count (as the server counts). */
export function isCounted(comment: ApiComment | null): boolean {
  return comment !== null && comment.status === 'approved';
}

export function countCounted(comment: ApiComment | null): number {
  if (!comment) return 0;
  return comment.replies.reduce((sum, reply) => sum + countCounted(reply), isCounted(comment) ? 1 : 0);
}
