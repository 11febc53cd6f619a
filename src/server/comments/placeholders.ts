import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/index.js';
import { comments } from '../db/schema.js';

/**
 * The one rule for comments readers no longer see: a deleted comment (or one a moderator
 * rejected or marked as spam) keeps its place, as an empty placeholder, while an approved
 * comment stands somewhere below it; a rejection with a public reason keeps its place to show
 * that reason. Pages, deletions, moderation, replays and the widget all follow this module.
 */

export interface TreeNode { id: string; parentId: string | null; status: string; moderationNote?: string | null }

/** Answers "does an approved comment stand below this one?" over one reply tree. */
export function approvedBelow(nodes: TreeNode[]): (id: string) => boolean {
  const children = new Map<string, TreeNode[]>();
  for (const node of nodes) {
    if (!node.parentId) continue;
    const list = children.get(node.parentId);
    if (list) list.push(node); else children.set(node.parentId, [node]);
  }
  const memo = new Map<string, boolean>();
  const check = (id: string): boolean => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const answer = (children.get(id) ?? []).some((c) => c.status === 'approved' || check(c.id));
    memo.set(id, answer);
    return answer;
  };
  return check;
}

/** Statuses that leave only a place behind (no author, no text). */
export const PLACEHOLDER_STATUSES: ReadonlySet<string> = new Set(['deleted', 'rejected', 'spam']);

export function keepsPlace(node: TreeNode, hasApprovedBelow: (id: string) => boolean): boolean {
  if (!PLACEHOLDER_STATUSES.has(node.status)) return true;
  if (node.status === 'rejected' && node.moderationNote) return true;
  return hasApprovedBelow(node.id);
}

export interface DeletionOutcome {
  /** The deleted comment stays as a placeholder for its replies. */
  keepsPlace: boolean;
  /** Deleted ancestors that held their place only for it: gone with it. */
  prunedIds: string[];
}

/** What readers see after a comment was deleted (or removed by a moderator), decided from its reply tree as it is now. */
export async function deletionOutcome(db: DbOrTx, comment: { id: string; rootId: string }): Promise<DeletionOutcome> {
  const nodes = await db
    .select({ id: comments.id, parentId: comments.parentId, status: comments.status, moderationNote: comments.moderationNote })
    .from(comments)
    .where(eq(comments.rootId, comment.rootId));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const below = approvedBelow(nodes);
  const self = byId.get(comment.id);
  const prunedIds: string[] = [];
  if (!self || keepsPlace(self, below)) return { keepsPlace: self !== undefined, prunedIds };
  for (let up = self.parentId ? byId.get(self.parentId) : undefined; up && !keepsPlace(up, below); up = up.parentId ? byId.get(up.parentId) : undefined) {
    prunedIds.push(up.id);
  }
  return { keepsPlace: false, prunedIds };
}
