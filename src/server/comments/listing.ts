import { and, eq, inArray } from 'drizzle-orm';
import type { ApiComment, CommentSort, CommentsPage } from '../../shared/api.js';
import { votes } from '../db/schema.js';
import type { Actor, Deps } from '../deps.js';
import type { Thread } from '../threads/service.js';
import { decodeCursor, encodeCursor, type PageCursor } from './cursor.js';
import { readRankingSlice, readReplies, readTopLevel, readTopLevelByIds, takeRanking } from './page-queries.js';
import type { PublicCommentRow } from './serialize.js';
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
  // Read before the page: a change committed in between is then replayed to the client (which
  // skips what it already shows) instead of being missing from both the page and the replay.
  const eventCursor = await deps.changeLog.latestCursor(deps.db, thread.id);
  const viewerId = actor?.userId;
  const { rows: pageRows, next } = input.sort === 'best'
    ? await bestPage(deps, { ...input, eventCursor, viewerId })
    : await timePage(deps, { ...input, viewerId });
  const rootIds = pageRows.map((r) => r.id);
  const replyRows = rootIds.length === 0 ? [] : await readReplies(deps.db, { rootIds, viewerId });
  const tree = buildTree(pageRows.map(toApiComment), replyRows.map(toApiComment));
  await markReaderState(deps, actor, { ids: [...pageRows, ...replyRows].map((r) => r.id), tree, editWindowSeconds: input.editWindowSeconds });
  return { comments: tree, nextCursor: next ? encodeCursor(next) : null, eventCursor };
}

interface PageOf { rows: PublicCommentRow[]; next: PageCursor | null }
type PageInput = ListCommentsInput & { viewerId?: string };

/** Newest or oldest first: creation times never change, so a keyset cursor neither skips nor repeats. */
async function timePage(deps: Deps, input: PageInput): Promise<PageOf> {
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  const rows = await readTopLevel(deps.db, { threadId: input.thread.id, sort: input.sort, limit: input.limit + 1, cursor, viewerId: input.viewerId });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > input.limit && last ? { id: last.id, score: last.score } : null };
}

/**
 * Best first: scores move between page loads, so pages after the first walk the ranking
 * snapshot taken with the first (one per thread version, shared by its readers). A comment
 * that climbs meanwhile is neither skipped nor shown twice; new comments arrive live.
 */
async function bestPage(deps: Deps, input: PageInput & { eventCursor: string }): Promise<PageOf> {
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  const threadId = input.thread.id;
  if (cursor?.ranking !== undefined && cursor.offset !== undefined) {
    const slice = await readRankingSlice(deps.db, { rankingId: cursor.ranking, threadId, offset: cursor.offset, count: input.limit });
    if (slice) return rankedPage(deps, { ids: slice.ids, more: slice.more, ranking: cursor.ranking, offset: cursor.offset, viewerId: input.viewerId });
    // The snapshot is older than the replay window: go on by score, as well as that can.
  }
  const first = await timePage(deps, input);
  if (!first.next || cursor) return first;
  const ranking = await takeRanking(deps.db, { threadId, eventCursor: input.eventCursor });
  const slice = (await readRankingSlice(deps.db, { rankingId: ranking, threadId, offset: 0, count: input.limit }))!;
  const sameOrder = slice.ids.length === first.rows.length && slice.ids.every((id, i) => first.rows[i].id === id);
  if (sameOrder) return { rows: first.rows, next: { ...first.next, ranking, offset: input.limit } };
  return rankedPage(deps, { ids: slice.ids, more: slice.more, ranking, offset: 0, viewerId: input.viewerId });
}

async function rankedPage(
  deps: Deps,
  input: { ids: string[]; more: boolean; ranking: string; offset: number; viewerId?: string },
): Promise<PageOf> {
  const rows = input.ids.length === 0 ? [] : await readTopLevelByIds(deps.db, { ids: input.ids, viewerId: input.viewerId });
  const last = rows.at(-1) ?? { id: input.ids.at(-1)!, score: 0 };
  const offset = input.offset + input.ids.length;
  return { rows, next: input.more ? { id: last.id, score: last.score, ranking: input.ranking, offset } : null };
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
