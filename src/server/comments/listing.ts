import { and, asc, desc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { ApiComment, CommentSort, CommentsPage } from '../../shared/api.js';
import { comments, votes } from '../db/schema.js';
import type { Actor, Deps } from '../deps.js';
import { latestThreadCursor } from '../realtime/log.js';
import type { Thread } from '../threads/service.js';
import { decodeCursor, encodeCursor, type PageCursor } from './cursor.js';
import { publicColumns, toApiComment } from './serialize.js';
import { editableUntil } from './policy.js';
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

/** What a reader may see: published comments, placeholders, and their own comments under review. */
function visibleTo(actor: Actor | null): SQL {
  const shown = or(eq(comments.status, 'approved'), eq(comments.status, 'deleted'))!;
  return actor ? or(shown, and(eq(comments.status, 'pending'), eq(comments.authorId, actor.userId)))! : shown;
}

/** A deleted top-level comment keeps its slot only while a reply under it still stands. */
const topLevelStillNeeded = sql`(${comments.status} <> 'deleted' or exists (
  select 1 from ${comments} d where d.root_id = ${comments.id} and d.status = 'approved'))`;

function orderFor(sort: CommentSort) {
  if (sort === 'oldest') return [asc(comments.createdAt), asc(comments.id)];
  if (sort === 'newest') return [desc(comments.createdAt), desc(comments.id)];
  return [desc(comments.score), desc(comments.createdAt), desc(comments.id)];
}

function after(sort: CommentSort, cursor: PageCursor): SQL {
  const anchor = sql`(select created_at from ${comments} a where a.id = ${cursor.id}::uuid)`;
  if (sort === 'oldest') return sql`(${comments.createdAt}, ${comments.id}) > (${anchor}, ${cursor.id}::uuid)`;
  if (sort === 'newest') return sql`(${comments.createdAt}, ${comments.id}) < (${anchor}, ${cursor.id}::uuid)`;
  return sql`(${comments.score}, ${comments.createdAt}, ${comments.id}) < (${cursor.score}::int, ${anchor}, ${cursor.id}::uuid)`;
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
  const visible = visibleTo(actor);
  const topRows = await deps.db
    .select(publicColumns)
    .from(comments)
    .where(and(eq(comments.threadId, thread.id), isNull(comments.parentId), visible, topLevelStillNeeded,
      cursor ? after(input.sort, cursor) : undefined))
    .orderBy(...orderFor(input.sort))
    .limit(input.limit + 1);
  const hasMore = topRows.length > input.limit;
  const pageRows = topRows.slice(0, input.limit);
  const rootIds = pageRows.map((r) => r.id);
  const replyRows = rootIds.length === 0 ? [] : await deps.db
    .select(publicColumns)
    .from(comments)
    .where(and(inArray(comments.rootId, rootIds), isNotNull(comments.parentId), visible))
    .orderBy(asc(comments.createdAt), asc(comments.id));
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
  const myVotes = ids.length === 0 ? [] : await deps.db
    .select({ commentId: votes.commentId, value: votes.value })
    .from(votes)
    .where(and(eq(votes.userId, actor.userId), inArray(votes.commentId, ids)));
  const voteOf = new Map(myVotes.map((v) => [v.commentId, v.value as -1 | 1]));
  const visit = (list: ApiComment[]) => {
    for (const c of list) {
      c.isMine = c.author?.id === actor.userId;
      const until = editableUntil({ createdAt: new Date(c.createdAt) }, { editWindowSeconds });
      if (c.isMine && c.status !== 'deleted' && until > now) c.editableUntil = until.toISOString();
      c.myVote = voteOf.get(c.id) ?? 0;
      visit(c.replies);
    }
  };
  visit(tree);
}
