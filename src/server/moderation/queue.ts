/**
 * The moderators' queues and search: a page of comments, newest first, each with its thread,
 * why it is there, its flags, and what the site knows of its author. A fixed number of queries
 * per page: the comments, the flags, the authors' histories.
 */
import { and, desc, eq, gt, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { ApiComment } from '../../shared/api.js';
import { toApiComment } from '../comments/serialize.js';
import { comments, flags, threads } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { InvalidCursor } from '../errors.js';
import { getSiteBySlug } from '../sites/service.js';
import { requireModeratorOf } from './access.js';

export const QUEUES = ['pending', 'flagged', 'spam', 'rejected', 'recent'] as const;
export type Queue = (typeof QUEUES)[number];

export const queueQuery = z.object({
  site: z.string().min(1).max(64),
  queue: z.enum(QUEUES).default('pending'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  /** Words of the body (PostgreSQL full-text, English and Arabic stemming). */
  q: z.string().trim().max(200).optional(),
  /** An author's name (any part of it) or id. */
  author: z.string().trim().max(200).optional(),
  thread: z.uuid().optional(),
  status: z.enum(['pending', 'approved', 'rejected', 'spam', 'deleted']).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});
export type QueueQuery = z.infer<typeof queueQuery>;

export interface QueueItem {
  comment: ApiComment & { status: string; source: string; threadId: string; flagCount: number; shadowed: boolean };
  thread: { id: string; title: string | null; url: string | null; status: string };
  reasons: string[];
  flags: Array<{ reason: string; note: string | null; at: string }>;
  author: {
    id: string | null; name: string; isGuest: boolean; email: string | null; ipHash: string | null;
    history: { approved: number; pending: number; rejected: number; spam: number; firstSeen: string | null; otherNames: string[] };
  };
}

function queueCondition(queue: Queue): SQL | undefined {
  switch (queue) {
    case 'pending': return and(eq(comments.status, 'pending'), eq(comments.shadowed, false));
    case 'flagged': return and(gt(comments.flagCount, 0), inArray(comments.status, ['approved', 'pending']));
    case 'spam': return eq(comments.status, 'spam');
    case 'rejected': return eq(comments.status, 'rejected');
    case 'recent': return ne(comments.status, 'deleted');
  }
}

function searchConditions(query: QueueQuery): Array<SQL | undefined> {
  return [
    query.q ? sql`${comments.search} @@ websearch_to_tsquery('parley_search', ${query.q})` : undefined,
    query.author ? (z.uuid().safeParse(query.author).success ? eq(comments.authorId, query.author) : sql`${comments.authorName} ilike ${`%${query.author.replace(/[\\%_]/g, '\\$&')}%`}`) : undefined,
    query.thread ? eq(comments.threadId, query.thread) : undefined,
    query.status ? eq(comments.status, query.status) : undefined,
    query.from ? sql`${comments.createdAt} >= ${query.from.toISOString()}::timestamptz` : undefined,
    query.to ? sql`${comments.createdAt} < ${query.to.toISOString()}::timestamptz` : undefined,
  ];
}

function decodeQueueCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || !z.uuid().safeParse(id).success || Number.isNaN(Date.parse(at))) throw new InvalidCursor();
  return { at, id };
}

export async function listQueue(deps: Deps, caller: Caller, query: QueueQuery): Promise<{ items: QueueItem[]; nextCursor: string | null; counts: Record<Queue, number> }> {
  const site = await getSiteBySlug(deps, query.site);
  await requireModeratorOf(deps, caller, site);
  const after = query.cursor ? decodeQueueCursor(query.cursor) : undefined;
  const rows = await deps.db
    .select({ comment: comments, thread: { id: threads.id, title: threads.title, url: threads.url, status: threads.status }, at: sql<string>`${comments.createdAt}::text` })
    .from(comments).innerJoin(threads, eq(threads.id, comments.threadId))
    .where(and(
      eq(comments.siteId, site.id), queueCondition(query.queue), ...searchConditions(query),
      after ? sql`(${comments.createdAt}, ${comments.id}) < (${after.at}::timestamptz, ${after.id}::uuid)` : undefined,
    ))
    .orderBy(desc(comments.createdAt), desc(comments.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > query.limit && last ? Buffer.from(`${last.at}|${last.comment.id}`).toString('base64url') : null;
  const [flagRows, histories, counts] = await Promise.all([
    readFlags(deps, page.map((r) => r.comment.id)),
    readHistories(deps, site.id, page.map((r) => r.comment)),
    countQueues(deps, site.id),
  ]);
  const items = page.map(({ comment, thread }): QueueItem => ({
    comment: { ...toApiComment({ ...comment, shadowed: false }), status: comment.status, source: comment.bodySource, threadId: comment.threadId, flagCount: comment.flagCount, shadowed: comment.shadowed },
    thread,
    reasons: comment.moderationReasons,
    flags: flagRows.filter((f) => f.commentId === comment.id).map((f) => ({ reason: f.reason, note: f.note, at: f.createdAt.toISOString() })),
    author: {
      id: comment.authorId, name: comment.authorName, isGuest: comment.authorIsGuest, email: comment.authorEmail, ipHash: comment.ipHash,
      history: histories(comment),
    },
  }));
  return { items, nextCursor, counts };
}

function readFlags(deps: Deps, ids: string[]) {
  return ids.length === 0 ? Promise.resolve([]) : deps.db.select().from(flags).where(inArray(flags.commentId, ids)).orderBy(flags.createdAt);
}

/** What the site knows of each author on the page: counts by status, first comment, other names from the same address. */
async function readHistories(deps: Deps, siteId: string, rows: Array<typeof comments.$inferSelect>) {
  const authorIds = [...new Set(rows.map((r) => r.authorId).filter((id): id is string => id !== null))];
  const ipHashes = [...new Set(rows.map((r) => r.ipHash).filter((h): h is string => h !== null))];
  const [byAuthor, byIp] = await Promise.all([
    authorIds.length === 0 ? [] : deps.db.select({
      authorId: comments.authorId, status: comments.status, count: sql<number>`count(*)::int`, first: sql<string>`min(${comments.createdAt})::text`,
    }).from(comments).where(and(eq(comments.siteId, siteId), inArray(comments.authorId, authorIds))).groupBy(comments.authorId, comments.status),
    ipHashes.length === 0 ? [] : deps.db.selectDistinct({ ipHash: comments.ipHash, name: comments.authorName })
      .from(comments).where(and(eq(comments.siteId, siteId), inArray(comments.ipHash, ipHashes))).limit(500),
  ]);
  return (row: typeof comments.$inferSelect): QueueItem['author']['history'] => {
    const mine = byAuthor.filter((b) => b.authorId === row.authorId);
    const count = (status: string) => mine.find((m) => m.status === status)?.count ?? 0;
    const firsts = mine.map((m) => m.first).sort();
    return {
      approved: count('approved'), pending: count('pending'), rejected: count('rejected'), spam: count('spam'),
      firstSeen: firsts[0] ? new Date(firsts[0]).toISOString() : null,
      otherNames: [...new Set(byIp.filter((b) => b.ipHash === row.ipHash && b.name !== row.authorName).map((b) => b.name))].slice(0, 10),
    };
  };
}

/** How many comments wait in each queue (recent: the last day's). */
async function countQueues(deps: Deps, siteId: string): Promise<Record<Queue, number>> {
  const [row] = await deps.db.select({
    pending: sql<number>`count(*) filter (where ${queueCondition('pending')})::int`,
    flagged: sql<number>`count(*) filter (where ${queueCondition('flagged')})::int`,
    spam: sql<number>`count(*) filter (where ${queueCondition('spam')})::int`,
    rejected: sql<number>`count(*) filter (where ${queueCondition('rejected')})::int`,
    recent: sql<number>`count(*) filter (where ${comments.createdAt} > now() - interval '1 day' and ${queueCondition('recent')})::int`,
  }).from(comments).where(and(eq(comments.siteId, siteId), or(ne(comments.status, 'approved'), gt(comments.flagCount, 0), sql`${comments.createdAt} > now() - interval '1 day'`)));
  return row;
}

