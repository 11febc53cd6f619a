import { and, asc, desc, eq, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { CommentSort } from '../../shared/api.js';
import type { Db } from '../db/index.js';
import { comments } from '../db/schema.js';
import { publicColumns, type PublicCommentRow } from './serialize.js';

/**
 * The two queries behind every page read, as prepared statements: the hottest path in Parley
 * skips query building in drizzle and planning in PostgreSQL (about a quarter of a read).
 * One statement per shape (sort, cursor or not, reader or not), prepared on first use.
 */

const viewer = sql.placeholder('viewerId');

/** What a reader may see: published comments, placeholders, and their own comments under review. */
function visible(withViewer: boolean): SQL {
  const shown = or(eq(comments.status, 'approved'), eq(comments.status, 'deleted'))!;
  return withViewer ? or(shown, and(eq(comments.status, 'pending'), eq(comments.authorId, viewer)))! : shown;
}

/** A deleted top-level comment keeps its slot only while a reply under it still stands. */
const stillNeeded = sql`(${comments.status} <> 'deleted' or exists (
  select 1 from ${comments} d where d.root_id = ${comments.id} and d.status = 'approved'))`;

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
      eq(comments.threadId, sql.placeholder('threadId')), isNull(comments.parentId), visible(shape.withViewer), stillNeeded,
      shape.withCursor ? afterCursor(shape.sort) : undefined,
    ))
    .orderBy(...orderFor(shape.sort))
    .limit(sql.placeholder('limit'))
    .prepare(name);
}

function prepareReplies(db: Db, withViewer: boolean, name: string) {
  return db
    .select(publicColumns)
    .from(comments)
    .where(and(sql`${comments.rootId} = any(${sql.placeholder('rootIds')}::uuid[])`, isNotNull(comments.parentId), visible(withViewer)))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .prepare(name);
}

interface TopLevelShape { sort: CommentSort; withCursor: boolean; withViewer: boolean }
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
  input: { threadId: string; sort: CommentSort; limit: number; cursor?: { id: string; score: number }; viewerId?: string },
): Promise<PublicCommentRow[]> {
  const shape = { sort: input.sort, withCursor: input.cursor !== undefined, withViewer: input.viewerId !== undefined };
  const name = `comments_top_${shape.sort}_${Number(shape.withCursor)}${Number(shape.withViewer)}`;
  return prepared(db, name, () => prepareTopLevel(db, shape, name)).execute({
    threadId: input.threadId, limit: input.limit, cursorId: input.cursor?.id, cursorScore: input.cursor?.score, viewerId: input.viewerId,
  });
}

export function readReplies(db: Db, input: { rootIds: string[]; viewerId?: string }): Promise<PublicCommentRow[]> {
  const withViewer = input.viewerId !== undefined;
  const name = `comments_replies_${Number(withViewer)}`;
  return prepared(db, name, () => prepareReplies(db, withViewer, name)).execute({ rootIds: input.rootIds, viewerId: input.viewerId });
}
