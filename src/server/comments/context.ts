/**
 * A comment in its context: the top-level comment it belongs to with that one's whole reply tree,
 * as a page of the thread shows it. A permalink (`#comment-ID`) may name a comment on any page of
 * a 10,000-comment thread; the widget fetches this one tree rather than every page before it.
 */
import { eq } from 'drizzle-orm';
import type { ApiComment } from '../../shared/api.js';
import { comments } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import { getThreadForCaller } from '../threads/service.js';
import { readReplies, readTopLevelByIds } from './page-queries.js';
import { toApiComment } from './serialize.js';
import { buildTree } from './tree.js';

export interface CommentContext {
  threadId: string;
  /** The top-level comment holding the one asked for, with every reply under it. */
  comment: ApiComment;
}

function contains(tree: ApiComment, id: string): boolean {
  return tree.id === id || tree.replies.some((reply) => contains(reply, id));
}

/**
 * Public, as pages are: the same for every reader, from the thread's own site's origins (or
 * none). A comment no page shows (awaiting moderation, removed without a trace) is not found.
 */
export async function readCommentContext(deps: Deps, caller: Caller, commentId: string): Promise<CommentContext> {
  const [found] = await deps.db.select({ threadId: comments.threadId, rootId: comments.rootId })
    .from(comments).where(eq(comments.id, commentId)).limit(1);
  if (!found) throw new NotFound('Comment');
  await getThreadForCaller(deps, { ...caller, actor: null }, found.threadId);
  const [root] = await readTopLevelByIds(deps.db, { ids: [found.rootId] });
  if (!root) throw new NotFound('Comment');
  const replies = await readReplies(deps.db, { rootIds: [root.id] });
  const [tree] = buildTree([toApiComment(root)], replies.map(toApiComment));
  if (!tree || !contains(tree, commentId)) throw new NotFound('Comment');
  return { threadId: found.threadId, comment: tree };
}
