import type { CommentRow } from '../comments/serialize.js';

/**
 * Whether readers may be told of a comment: it is published, and not a shadow-banned author's
 * (whose comments only they see: telling anyone else would give the ban away, and spread them).
 * Comments awaiting moderation, rejected, spam or deleted tell nobody.
 */
export function isPublished(comment: Pick<CommentRow, 'status' | 'shadowed'>): boolean {
  return comment.status === 'approved' && !comment.shadowed;
}

/** A moderator alert is still worth sending while the comment waits (a moderator may have decided meanwhile). */
export function stillWaits(comment: Pick<CommentRow, 'status' | 'flagCount'>, reason: string): boolean {
  return comment.status === 'pending' || (reason === 'flagged' && comment.status === 'approved' && comment.flagCount > 0);
}
