import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/index.js';
import { comments } from '../db/schema.js';

/**
 * The one rule for deleted comments: a deleted comment keeps its place (as an empty
 * placeholder) while an approved comment stands somewhere below it, and only then. Pages,
 * deletions, replays and the widget all follow what this module decides.
 */

export interface TreeNode { id: string; parentId: string | null; status: string }

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

export function keepsPlace(node: TreeNode, hasApprovedBelow: (id: string) => boolean): boolean {
  return node.status !== 'deleted' || hasApprovedBelow(node.id);
}

export interface DeletionOutcome {
  /** The deleted comment stays as a placeholder for its replies. */
  keepsPlace: boolean;
  /** Deleted ancestors that held their place only for it: gone with it. */
  prunedIds: string[];
}

/** What readers see after a comment was deleted, decided from its reply tree as it is now. */
export async function deletionOutcome(db: DbOrTx, comment: { id: string; rootId: string }): Promise<DeletionOutcome> {
  const nodes = await db
    .select({ id: comments.id, parentId: comments.parentId, status: comments.status })
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
