import { and, eq, inArray } from 'drizzle-orm';
import type { ApiComment, CommentSort, CommentsPage } from '../../shared/api.js';
import { votes } from '../db/schema.js';
import type { Actor, Deps } from '../deps.js';
import { latestThreadCursor } from '../realtime/log.js';
import type { Thread } from '../threads/service.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { readReplies, readTopLevel } from './page-queries.js';
import { toApiComment } from './serialize.js';
import { canEditComment, editableUntil, isCommentAuthor } from './policy.js';
import { buildTree } from './tree.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export interface ListCommentsInput {
  thread: Thread;
  /** The site's: tells an author until when they may change their comments. */
  editWindowSeconds: number;
  sort: CommentSort;
  cursor?: string;
  limit: number;
}

/**
 * One page of top-level comments with their whole reply trees, in a fixed number of queries
 * whatever the thread's size: the page, all replies by root, the reader's votes, the cursor.
 */
export async function listThreadComments(deps: Deps, actor: Actor | null, input: ListCommentsInput): Promise<CommentsPage> {
  const { thread } = input;
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  // Read before the page: a change committed in between is then replayed to the client (which
  // skips what it already shows) instead of being missing from both the page and the replay.
  const eventCursor = await latestThreadCursor(deps.db, thread.id);
  const viewerId = actor?.userId;
  const topRows = await readTopLevel(deps.db, { threadId: thread.id, sort: input.sort, limit: input.limit + 1, cursor, viewerId });
  const hasMore = topRows.length > input.limit;
  const pageRows = topRows.slice(0, input.limit);
  const rootIds = pageRows.map((r) => r.id);
  const replyRows = rootIds.length === 0 ? [] : await readReplies(deps.db, { rootIds, viewerId });
  const tree = buildTree(pageRows.map(toApiComment), replyRows.map(toApiComment));
  await markReaderState(deps, actor, { ids: [...pageRows, ...replyRows].map((r) => r.id), tree, editWindowSeconds: input.editWindowSeconds });
  const last = pageRows.at(-1);
  return {
    comments: tree,
    nextCursor: hasMore && last ? encodeCursor({ id: last.id, score: last.score }) : null,
    eventCursor,
  };
}

/** Adds isMine, myVote and editableUntil for a signed-in reader (guest or account). */
async function markReaderState(
  deps: Deps,
  actor: Actor | null,
  { ids, tree, editWindowSeconds }: { ids: string[]; tree: ApiComment[]; editWindowSeconds: number },
): Promise<void> {
  if (!actor) return;
  const now = deps.now();
  const site = { editWindowSeconds };
  const myVotes = ids.length === 0 ? [] : await deps.db
    .select({ commentId: votes.commentId, value: votes.value })
    .from(votes)
    .where(and(eq(votes.userId, actor.userId), inArray(votes.commentId, ids)));
  const voteOf = new Map(myVotes.map((v) => [v.commentId, v.value as -1 | 1]));
  const visit = (list: ApiComment[]) => {
    for (const c of list) {
      const owned = { authorId: c.author?.id ?? null, createdAt: new Date(c.createdAt), status: c.status };
      c.isMine = isCommentAuthor(actor, owned);
      if (canEditComment(actor, owned, site, now)) c.editableUntil = editableUntil(owned, site).toISOString();
      c.myVote = voteOf.get(c.id) ?? 0;
      visit(c.replies);
    }
  };
  visit(tree);
}
