import { and, asc, desc, eq, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { CommentSort } from '../../shared/api.js';
import type { Db } from '../db/index.js';
import { commentRankings, comments } from '../db/schema.js';
import { publicColumns, type PublicCommentRow } from './serialize.js';

/**
 * The two queries behind every page read, as prepared statements: the hottest path in Parley
 * skips query building in drizzle and planning in PostgreSQL (about a quarter of a read).
 * One statement per shape (sort, cursor or not), prepared on first use.
 */

/**
 * What every reader sees: published comments and placeholders of deleted or removed ones (a
 * reader's own under review come in their overlay).
 */
const visible: SQL = inArray(comments.status, ['approved', 'deleted', 'rejected', 'spam']);

/** A placeholder at the top keeps its slot only as placeholders.ts's rule says. */
const stillNeeded = sql`(${comments.status} = 'approved'
  or (${comments.status} = 'rejected' and ${comments.moderationNote} is not null)
  or exists (select 1 from ${comments} d where d.root_id = ${comments.id} and d.status = 'approved'))`;

/** Pinned comments come first, on the first page, apart from the sorted pages. */
const notPinned: SQL = eq(comments.pinned, false);

function orderFor(sort: CommentSort) {
  if (sort === 'oldest') return [asc(comments.createdAt), asc(comments.id)];
  if (sort === 'newest') return [desc(comments.createdAt), desc(comments.id)];
  return [desc(comments.score), desc(comments.createdAt), desc(comments.id)];
}

/** Keyset condition: after the last comment of the previous page, in the page's order. */
function afterCursor(sort: CommentSort): SQL {
  const id = sql`${sql.placeholder('cursorId')}::uuid`;
  const anchor = sql`(select created_at from ${comments} a where a.id = ${id})`;
  if (sort === 'oldest') return sql`(${comments.createdAt}, ${comments.id}) > (${anchor}, ${id})`;
  if (sort === 'newest') return sql`(${comments.createdAt}, ${comments.id}) < (${anchor}, ${id})`;
  return sql`(${comments.score}, ${comments.createdAt}, ${comments.id}) < (${sql.placeholder('cursorScore')}::int, ${anchor}, ${id})`;
}

function prepareTopLevel(db: Db, shape: TopLevelShape, name: string) {
  return db
    .select(publicColumns)
    .from(comments)
    .where(and(
      eq(comments.threadId, sql.placeholder('threadId')), isNull(comments.parentId), notPinned, visible, stillNeeded,
      shape.withCursor ? afterCursor(shape.sort) : undefined,
    ))
    .orderBy(...orderFor(shape.sort))
    .limit(sql.placeholder('limit'))
    .prepare(name);
}

function prepareReplies(db: Db, name: string) {
  return db
    .select(publicColumns)
    .from(comments)
    .where(and(sql`${comments.rootId} = any(${sql.placeholder('rootIds')}::uuid[])`, isNotNull(comments.parentId), visible))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .prepare(name);
}

interface TopLevelShape { sort: CommentSort; withCursor: boolean }
type Prepared = { execute(params: Record<string, unknown>): Promise<PublicCommentRow[]> };

const cache = new WeakMap<Db, Map<string, Prepared>>();

function prepared(db: Db, name: string, make: () => Prepared): Prepared {
  let byName = cache.get(db);
  if (!byName) cache.set(db, (byName = new Map()));
  let statement = byName.get(name);
  if (!statement) byName.set(name, (statement = make()));
  return statement;
}

export function readTopLevel(
  db: Db,
  input: { threadId: string; sort: CommentSort; limit: number; cursor?: { id: string; score: number } },
): Promise<PublicCommentRow[]> {
  const shape = { sort: input.sort, withCursor: input.cursor !== undefined };
  const name = `comments_top_${shape.sort}_${Number(shape.withCursor)}`;
  return prepared(db, name, () => prepareTopLevel(db, shape, name)).execute({
    threadId: input.threadId, limit: input.limit, cursorId: input.cursor?.id, cursorScore: input.cursor?.score,
  });
}

export function readReplies(db: Db, input: { rootIds: string[] }): Promise<PublicCommentRow[]> {
  const name = 'comments_replies';
  return prepared(db, name, () => prepareReplies(db, name)).execute({ rootIds: input.rootIds });
}

function preparePinned(db: Db, name: string) {
  return db
    .select(publicColumns)
    .from(comments)
    .where(and(eq(comments.threadId, sql.placeholder('threadId')), isNull(comments.parentId), eq(comments.pinned, true), eq(comments.status, 'approved')))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .prepare(name);
}

/** The thread's pinned top-level comments, oldest pin first (by the comment's age). */
export function readPinned(db: Db, input: { threadId: string }): Promise<PublicCommentRow[]> {
  const name = 'comments_pinned';
  return prepared(db, name, () => preparePinned(db, name)).execute({ threadId: input.threadId });
}

function prepareByIds(db: Db, name: string) {
  return db
    .select(publicColumns)
    .from(comments)
    .where(and(sql`${comments.id} = any(${sql.placeholder('ids')}::uuid[])`, isNull(comments.parentId), visible, stillNeeded))
    .prepare(name);
}

/** Top-level comments by id, in the order given, leaving out those the reader may not (or no longer) see. */
export async function readTopLevelByIds(db: Db, input: { ids: string[] }): Promise<PublicCommentRow[]> {
  const name = 'comments_by_ids';
  const rows = await prepared(db, name, () => prepareByIds(db, name)).execute({ ids: input.ids });
  const position = new Map(input.ids.map((id, i) => [id, i]));
  return rows.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
}

/**
 * The thread's top-level comments in "best" order as they stand now, kept under the thread's
 * live cursor: every reader paging from that cursor walks the same order.
 */
export async function takeRanking(db: Db, input: { threadId: string; eventCursor: string }): Promise<string> {
  const { threadId, eventCursor } = input;
  await db.execute(sql`
    insert into ${commentRankings} (thread_id, event_cursor, ids)
    select ${threadId}, ${eventCursor}::bigint, coalesce(array_agg(id order by score desc, created_at desc, id desc), '{}')
    from ${comments} where thread_id = ${threadId} and parent_id is null and not pinned and status in ('approved', 'deleted', 'rejected', 'spam')
    on conflict (thread_id, event_cursor) do nothing`);
  const [row] = await db.select({ id: commentRankings.id }).from(commentRankings)
    .where(and(eq(commentRankings.threadId, threadId), eq(commentRankings.eventCursor, Number(eventCursor))));
  return row.id;
}

/** A slice of a ranking and whether more follows it; null when the ranking has been pruned. */
export async function readRankingSlice(
  db: Db,
  input: { rankingId: string; threadId: string; offset: number; count: number },
): Promise<{ ids: string[]; more: boolean } | null> {
  const from = input.offset + 1;
  const [row] = await db
    .select({
      ids: sql<string[]>`${commentRankings.ids}[${from}::int:${from + input.count - 1}::int]`,
      total: sql<number>`coalesce(array_length(${commentRankings.ids}, 1), 0)`,
    })
    .from(commentRankings)
    .where(and(eq(commentRankings.id, input.rankingId), eq(commentRankings.threadId, input.threadId)));
  if (!row) return null;
  return { ids: row.ids ?? [], more: input.offset + input.count < row.total };
}
