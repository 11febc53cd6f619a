import type { CommentSort, CommentsPage } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import type { Thread } from '../threads/service.js';
import { decodeCursor, encodeCursor, type PageCursor } from './cursor.js';
import { readPinned, readRankingSlice, readReplies, readTopLevel, readTopLevelByIds, takeRanking } from './page-queries.js';
import type { PublicCommentRow } from './serialize.js';
import { toApiComment } from './serialize.js';
import { buildTree } from './tree.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export interface ListCommentsInput {
  thread: Pick<Thread, 'id'>;
  sort: CommentSort;
  cursor?: string;
  limit: number;
}

/**
 * One page of top-level comments with their whole reply trees, the same for every reader (what
 * is a reader's own comes in the overlay, reader.ts), in a fixed number of queries whatever the
 * thread's size: the live cursor, (on the first page) the pinned comments, the page, all
 * replies by root.
 */
export async function listThreadComments(deps: Deps, input: ListCommentsInput): Promise<CommentsPage> {
  const { thread } = input;
  // Read before the page: a change committed in between is then replayed to the client (which
  // skips what it already shows) instead of being missing from both the page and the replay.
  const eventCursor = await deps.changeLog.latestCursor(deps.db, thread.id);
  const { rows: sortedRows, next } = input.sort === 'best' ? await bestPage(deps, { ...input, eventCursor }) : await timePage(deps, input);
  const pageRows = input.cursor ? sortedRows : [...await readPinned(deps.db, { threadId: thread.id }), ...sortedRows];
  const rootIds = pageRows.map((r) => r.id);
  const replyRows = rootIds.length === 0 ? [] : await readReplies(deps.db, { rootIds });
  const tree = buildTree(pageRows.map(toApiComment), replyRows.map(toApiComment));
  return { comments: tree, nextCursor: next ? encodeCursor(next) : null, eventCursor };
}

interface PageOf { rows: PublicCommentRow[]; next: PageCursor | null }
type PageInput = ListCommentsInput;

/** Newest or oldest first: creation times never change, so a keyset cursor neither skips nor repeats. */
async function timePage(deps: Deps, input: PageInput): Promise<PageOf> {
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  const rows = await readTopLevel(deps.db, { threadId: input.thread.id, sort: input.sort, limit: input.limit + 1, cursor });
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
    if (slice) return rankedPage(deps, { ids: slice.ids, more: slice.more, ranking: cursor.ranking, offset: cursor.offset });
    // The snapshot is older than the replay window: go on by score, as well as that can.
  }
  const first = await timePage(deps, input);
  if (!first.next || cursor) return first;
  const ranking = await takeRanking(deps.db, { threadId, eventCursor: input.eventCursor });
  const slice = (await readRankingSlice(deps.db, { rankingId: ranking, threadId, offset: 0, count: input.limit }))!;
  const sameOrder = slice.ids.length === first.rows.length && slice.ids.every((id, i) => first.rows[i].id === id);
  if (sameOrder) return { rows: first.rows, next: { ...first.next, ranking, offset: input.limit } };
  return rankedPage(deps, { ids: slice.ids, more: slice.more, ranking, offset: 0 });
}

async function rankedPage(
  deps: Deps,
  input: { ids: string[]; more: boolean; ranking: string; offset: number },
): Promise<PageOf> {
  const rows = input.ids.length === 0 ? [] : await readTopLevelByIds(deps.db, { ids: input.ids });
  const last = rows.at(-1) ?? { id: input.ids.at(-1)!, score: 0 };
  const offset = input.offset + input.ids.length;
  return { rows, next: input.more ? { id: last.id, score: last.score, ranking: input.ranking, offset } : null };
}
