import type { ApiComment } from '../../shared/api.js';
import { comments } from '../db/schema.js';

export type CommentRow = typeof comments.$inferSelect;

/** The columns a reader's view needs: not the markdown source, email or IP hash. */
export const publicColumns = {
  id: comments.id, threadId: comments.threadId, parentId: comments.parentId, depth: comments.depth,
  authorId: comments.authorId, authorName: comments.authorName, authorIsGuest: comments.authorIsGuest,
  bodyHtml: comments.bodyHtml, status: comments.status, score: comments.score, upvotes: comments.upvotes,
  downvotes: comments.downvotes, createdAt: comments.createdAt, editedAt: comments.editedAt,
  pinned: comments.pinned, moderationNote: comments.moderationNote, shadowed: comments.shadowed,
};
export type PublicCommentRow = Pick<CommentRow, keyof typeof publicColumns>;

/**
 * A row as every reader sees it (no field that repeats the thread or can be derived); a
 * deleted comment keeps only its place in the tree.
 */
export function toApiComment(row: PublicCommentRow): ApiComment {
  // A rejected comment shows only its place (and a moderator's public reason), as a deleted one does.
  const deleted = row.status === 'deleted' || row.status === 'rejected' || row.status === 'spam';
  return {
    id: row.id,
    parentId: row.parentId,
    depth: row.depth,
    author: deleted ? null : { name: row.authorName, id: row.authorId, isGuest: row.authorIsGuest },
    html: deleted ? '' : row.bodyHtml,
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt?.toISOString() ?? null,
    upvotes: row.upvotes,
    downvotes: row.downvotes,
    // A shadow-banned author's comment is shown to them (and only ever to them) as published: nothing tells them.
    status: row.shadowed && row.status === 'pending' ? 'approved' : row.status,
    pinned: row.pinned,
    moderationNote: row.status === 'rejected' ? row.moderationNote : null,
    replies: [],
  };
}
