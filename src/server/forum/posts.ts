/**
 * A topic's posts for its server-rendered page: threaded (a page of top-level posts, oldest
 * first, with all their replies fetched by root in one query, as the widget shows them) or
 * flat (every published post in time order). Two queries per page whatever the topic's size.
 */
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { ApiComment } from '../../shared/api.js';
import { readReplies } from '../comments/page-queries.js';
import { publicColumns, toApiComment } from '../comments/serialize.js';
import { buildTree } from '../comments/tree.js';
import type { Db } from '../db/index.js';
import { comments, threads } from '../db/schema.js';
import { NotFound } from '../errors.js';
import type { Site } from '../sites/service.js';
import { forumVisible } from './categories.js';
import type { ThreadRow } from './service.js';

export const TOP_POSTS_PER_PAGE = 30;
export const FLAT_POSTS_PER_PAGE = 50;
export type TopicView = 'threaded' | 'flat';

/** A topic of the site's forum (an article's thread too); anything else is not found. */
export async function readTopic(db: Db, site: Site, id: string): Promise<ThreadRow> {
  const [row] = await db.select().from(threads).where(and(eq(threads.id, id), eq(threads.siteId, site.id), forumVisible)).limit(1);
  if (!row) throw new NotFound('Topic');
  return row;
}

export interface PostsPage {
  posts: ApiComment[];
  more: boolean;
  /** For flat pages: the author each reply answers, when that post is on the page. */
  inReplyTo: Record<string, string>;
}

export async function readTopicPosts(db: Db, threadId: string, view: TopicView, page: number): Promise<PostsPage> {
  if (view === 'threaded') {
    const top = await db.select(publicColumns).from(comments)
      .where(and(eq(comments.threadId, threadId), isNull(comments.parentId), inArray(comments.status, ['approved', 'deleted'])))
      .orderBy(asc(comments.createdAt), asc(comments.id)).offset((page - 1) * TOP_POSTS_PER_PAGE).limit(TOP_POSTS_PER_PAGE + 1);
    const shown = top.slice(0, TOP_POSTS_PER_PAGE);
    const replies = shown.length ? await readReplies(db, { rootIds: shown.map((r) => r.id) }) : [];
    return { posts: buildTree(shown.map(toApiComment), replies.map(toApiComment)), more: top.length > TOP_POSTS_PER_PAGE, inReplyTo: {} };
  }
  // By root: the top-level posts' partial index, then the replies' (root, time) index.
  const rows = await db.select({ ...publicColumns, parentId: comments.parentId }).from(comments)
    .where(and(sql`${comments.rootId} in (select id from ${comments} where thread_id = ${threadId} and parent_id is null)`, eq(comments.status, 'approved')))
    .orderBy(asc(comments.createdAt), asc(comments.id)).offset((page - 1) * FLAT_POSTS_PER_PAGE).limit(FLAT_POSTS_PER_PAGE + 1);
  const shown = rows.slice(0, FLAT_POSTS_PER_PAGE);
  const names = new Map(shown.map((r) => [r.id, r.authorName]));
  const inReplyTo = Object.fromEntries(shown.filter((r) => r.parentId && names.has(r.parentId)).map((r) => [r.id, names.get(r.parentId!)!]));
  return { posts: shown.map(toApiComment), more: rows.length > FLAT_POSTS_PER_PAGE, inReplyTo };
}

/** The first post's text (for the page's description). */
export async function firstPostText(db: Db, threadId: string): Promise<string | null> {
  const [row] = await db.select({ text: comments.bodySource }).from(comments)
    .where(and(eq(comments.threadId, threadId), isNull(comments.parentId), eq(comments.status, 'approved')))
    .orderBy(asc(comments.createdAt)).limit(1);
  return row?.text ?? null;
}
