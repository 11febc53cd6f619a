import type { ApiComment } from '../../shared/api.js';
import type { comments } from '../db/schema.js';

export type CommentRow = typeof comments.$inferSelect;

/** A row as the API shows it; a deleted comment keeps only its place in the tree. */
export function toApiComment(row: CommentRow): ApiComment {
  const deleted = row.status === 'deleted';
  return {
    id: row.id,
    threadId: row.threadId,
    parentId: row.parentId,
    depth: row.depth,
    author: deleted ? null : { name: row.authorName, id: row.authorId, isGuest: row.authorIsGuest },
    html: deleted ? '' : row.bodyHtml,
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt?.toISOString() ?? null,
    score: row.score,
    upvotes: row.upvotes,
    downvotes: row.downvotes,
    status: row.status,
    replies: [],
  };
}
