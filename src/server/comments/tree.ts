import type { ApiComment } from '../../shared/api.js';

/**
 * Nests the replies of a page of top-level comments under their parents. Replies whose parent
 * is not visible are dropped with it; deleted comments survive only as placeholders for
 * replies that still stand.
 */
export function buildTree(topLevel: ApiComment[], replies: ApiComment[]): ApiComment[] {
  const byId = new Map<string, ApiComment>();
  for (const c of topLevel) byId.set(c.id, c);
  // Parents precede children when sorted by depth, whatever the creation order.
  const ordered = [...replies].sort((a, b) => a.depth - b.depth || a.createdAt.localeCompare(b.createdAt));
  for (const reply of ordered) {
    const parent = reply.parentId ? byId.get(reply.parentId) : undefined;
    if (!parent) continue;
    parent.replies.push(reply);
    byId.set(reply.id, reply);
  }
  return topLevel.filter(keepNode);
}

/** Prunes deleted leaves bottom-up; true when the node itself stays. */
function keepNode(node: ApiComment): boolean {
  node.replies = node.replies.filter(keepNode);
  return node.status !== 'deleted' || node.replies.length > 0;
}
