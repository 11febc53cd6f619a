/**
 * Pure operations on the comment tree as the API returns it (top-level comments,
 * each with nested `replies`). Every function returns a new tree and leaves the
 * old one untouched, so preact sees what changed.
 */
import type { ApiComment } from '../../shared/api.js';

/** A comment this deep shows "Continue this thread" in place of its replies, which then open on their own. */
export const MAX_SHOWN_LEVEL = 8;

/** The comment and its ancestors, top-level first; null when it is not in these trees. */
export function pathTo(list: ApiComment[], id: string): ApiComment[] | null {
  for (const comment of list) {
    if (comment.id === id) return [comment];
    const below = pathTo(comment.replies, id);
    if (below) return [comment, ...below];
  }
  return null;
}

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

/** A newer copy of a comment we already show; the replies already shown are kept (event payloads carry none). */
export function mergeComment(old: ApiComment, update: ApiComment): ApiComment {
  return { ...old, ...update, replies: old.replies.length > 0 ? old.replies : update.replies };
}

/**
 * Adds a comment, or merges it into the copy already shown (the reader's own comment
 * arrives both in the POST response and as a live event). A reply goes last under its
 * parent; for a reply whose parent is not loaded the list comes back unchanged. A top-level comment goes
 * first, or last when `atEnd` (oldest-first order).
 */
export function upsertComment(list: ApiComment[], comment: ApiComment, atEnd: boolean): ApiComment[] {
  if (findComment(list, comment.id)) return mapComment(list, comment.id, (old) => mergeComment(old, comment));
  if (comment.parentId === null) return atEnd ? [...list, comment] : [comment, ...list];
  return mapComment(list, comment.parentId, (parent) => ({ ...parent, replies: [...parent.replies, comment] }));
}

/**
 * Applies a deletion as the server decided it: `placeholder` takes the comment's place (its
 * replies stay), or without one the comment goes with anything under it; `prunedIds` are
 * deleted ancestors that held their place only for it, and go too.
 */
export function removeComment(list: ApiComment[], id: string, placeholder: ApiComment | null, prunedIds: string[]): ApiComment[] {
  let result = mapComment(list, id, (old) => placeholder && mergeComment(old, placeholder));
  for (const pruned of prunedIds) result = mapComment(result, pruned, () => null);
  return result;
}

/** A later page, dropping earlier copies of its comments (a live comment may have been shown before its page). */
export function appendPage(list: ApiComment[], page: ApiComment[]): ApiComment[] {
  const incoming = new Set(page.map((comment) => comment.id));
  return [...list.filter((comment) => !incoming.has(comment.id)), ...page];
}

/** The comments anywhere in these trees that `keep` picks (the reader's comments no shared page has, say). */
export function collectComments(list: ApiComment[], keep: (comment: ApiComment) => boolean): ApiComment[] {
  return list.flatMap((comment) => [...(keep(comment) ? [comment] : []), ...collectComments(comment.replies, keep)]);
}

/** Whether a comment counts toward the thread's comment count (as the server counts). */
export function isCounted(comment: ApiComment | null): boolean {
  return comment !== null && comment.status === 'approved';
}

/** How many comments of these trees count toward the thread's comment count. */
export function countCounted(list: ApiComment[]): number {
  return list.reduce((sum, comment) => sum + countCounted(comment.replies) + Number(isCounted(comment)), 0);
}
