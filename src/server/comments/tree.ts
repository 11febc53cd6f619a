import type { ApiComment } from '../../shared/api.js';
import { approvedBelow, keepsPlace } from './placeholders.js';

/**
 * Nests the replies of a page of top-level comments under their parents. Replies whose parent
 * is not visible are dropped with it; deleted comments stay only where the one placeholder
 * rule (placeholders.ts) keeps them.
 */
export function buildTree(topLevel: ApiComment[], replies: ApiComment[]): ApiComment[] {
  const byId = new Map<string, ApiComment>();
  for (const c of topLevel) byId.set(c.id, c);
  // Parents precede children when sorted by depth, whatever the creation order.
  const ordered = [...replies].sort((a, b) => a.depth - b.depth || a.createdAt.localeCompare(b.createdAt));
  const attached: ApiComment[] = [];
  for (const reply of ordered) {
    const parent = reply.parentId ? byId.get(reply.parentId) : undefined;
    if (!parent) continue;
    parent.replies.push(reply);
    byId.set(reply.id, reply);
    attached.push(reply);
  }
  const below = approvedBelow([...topLevel, ...attached]);
  const prune = (list: ApiComment[]): ApiComment[] => list.filter((node) => {
    node.replies = prune(node.replies);
    return keepsPlace(node, below);
  });
  return prune(topLevel);
}
