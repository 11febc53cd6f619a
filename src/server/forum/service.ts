/**
 * The forum's rules: which threads a list shows and in what order, and who may start a topic.
 * A topic is a thread of kind `topic` whose first post is an ordinary comment (same sanitizer,
 * moderation rules and live events); the site's article threads are the topics of its "holds
 * articles" category. Every list is a fixed number of queries whatever the forum's size.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { ApiTopic, ForumSort, TopicsPage, TopPeriod } from '../../shared/forum.js';
import { assertCallerOnSite, requireActor } from '../auth/service.js';
import { insertComment } from '../comments/service.js';
import { renderMarkdown } from '../comments/render.js';
import { toApiComment } from '../comments/serialize.js';
import { transactional } from '../db/index.js';
import { forumReads, threads } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { AuthRequired, BadRequest, Forbidden, InvalidCursor } from '../errors.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { decideNewComment, refuseBannedWords } from '../moderation/phases.js';
import { readStanding } from '../moderation/standing.js';
import { getSiteBySlug, type Site } from '../sites/service.js';
import { cleanBody, cleanName } from '../text.js';
import { effectiveThreadStatus } from '../threads/policy.js';
import { findCategory, forumVisible, readCategories, type Category } from './categories.js';
import { canStartTopic, titleSlug } from './policy.js';

export type ThreadRow = typeof threads.$inferSelect;
export const TOPICS_PER_PAGE = 30;

/** A site whose forum the caller may read: an enabled site, asked from no page, Parley's own, or one of the site's. */
export async function forumSite(deps: Deps, caller: Caller, slug: string): Promise<Site> {
  const site = await getSiteBySlug(deps, slug);
  assertCallerOnSite(caller, site, ownOrigin(deps));
  return site;
}

export function topicPath(site: Pick<Site, 'slug'>, thread: Pick<ThreadRow, 'id' | 'title'>): string {
  const slug = titleSlug(thread.title ?? '');
  return `/forum/${encodeURIComponent(site.slug)}/t/${thread.id}${slug ? `/${encodeURIComponent(slug)}` : ''}`;
}

export function toApiTopic(deps: Deps, site: Site, thread: ThreadRow, categories: Category[], unread?: boolean): ApiTopic {
  const articles = categories.find((c) => c.holdsArticles);
  const category = thread.kind === 'article' ? articles : categories.find((c) => c.id === thread.categoryId);
  return {
    id: thread.id, threadId: thread.id, title: thread.title ?? thread.key, kind: thread.kind, category: category?.slug ?? null,
    author: thread.authorName ? { id: thread.authorId, name: thread.authorName } : null,
    replyCount: thread.kind === 'topic' ? Math.max(thread.commentCount - 1, 0) : thread.commentCount,
    createdAt: thread.createdAt.toISOString(), lastActivityAt: thread.lastActivityAt.toISOString(), pinned: thread.pinned,
    status: effectiveThreadStatus(thread, site, deps.now()), url: `${deps.publicUrl}${topicPath(site, thread)}`,
    articleUrl: thread.kind === 'article' ? thread.url : null, ...(unread === undefined ? {} : { unread }),
  };
}

/** Which threads a list covers: a category (with its subcategories), the articles' category, or the whole forum. */
function scopeOf(site: Site, categories: Category[], category: Category | null): SQL {
  const articles = categories.some((c) => c.holdsArticles) ? sql`${threads.kind} = 'article'` : sql`false`;
  const topicsIn = (ids: string[]) => and(eq(threads.kind, 'topic'), ids.length ? inArray(threads.categoryId, ids) : sql`false`)!;
  const where = !category ? or(articles, topicsIn(categories.filter((c) => !c.holdsArticles).map((c) => c.id)))!
    : category.holdsArticles ? articles
      : topicsIn([category.id, ...categories.filter((c) => c.parentId === category.id && !c.holdsArticles).map((c) => c.id)]);
  return and(eq(threads.siteId, site.id), forumVisible, where)!;
}

const PERIOD_DAYS: Record<TopPeriod, number | null> = { day: 1, week: 7, month: 31, year: 366, all: null };

interface SortSpec {
  order: SQL[];
  /** The same order backwards: a "previous page" reads it, then turns the rows round. */
  reverse: SQL[];
  key: SQL;
  after: (value: string, id: string) => SQL;
  before: (value: string, id: string) => SQL;
  parse: (value: string) => boolean;
}
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const byTime = (column: typeof threads.lastActivityAt | typeof threads.createdAt): SortSpec => ({
  order: [desc(column), desc(threads.id)],
  reverse: [asc(column), asc(threads.id)],
  key: sql`${column}::text`,
  // The cursor holds PostgreSQL's own text of the time: microseconds a JavaScript date would lose.
  after: (value, id) => sql`(${column}, ${threads.id}) < (${value}::timestamptz, ${id}::uuid)`,
  before: (value, id) => sql`(${column}, ${threads.id}) > (${value}::timestamptz, ${id}::uuid)`,
  parse: (value) => TIMESTAMP.test(value),
});
const SORTS: Record<ForumSort, SortSpec> = {
  latest: byTime(threads.lastActivityAt),
  newest: byTime(threads.createdAt),
  top: {
    order: [desc(threads.commentCount), desc(threads.id)],
    reverse: [asc(threads.commentCount), asc(threads.id)],
    key: sql`${threads.commentCount}::text`,
    after: (value, id) => sql`(${threads.commentCount}, ${threads.id}) < (${Number(value)}::int, ${id}::uuid)`,
    before: (value, id) => sql`(${threads.commentCount}, ${threads.id}) > (${Number(value)}::int, ${id}::uuid)`,
    parse: (value) => /^\d{1,9}$/.test(value),
  },
};

function encodeCursor(value: string, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

function decodeCursor(cursor: string, spec: SortSpec): { value: string; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string'
      && spec.parse(parsed[0]) && /^[0-9a-f-]{36}$/i.test(parsed[1])) return { value: parsed[0], id: parsed[1] };
  } catch { /* reported below */ }
  throw new InvalidCursor();
}

export interface ListTopicsInput {
  site: Site;
  category?: string;
  sort: ForumSort;
  period?: TopPeriod;
  /** After this cursor (the next page), or before it (the previous page: the forum's pages link back). */
  cursor?: string;
  before?: string;
  limit?: number;
  /** A signed-in reader: topics get their unread mark. */
  viewerId?: string | null;
}

export interface ListedTopics extends TopicsPage {
  /** The page before this one (null on the first page). */
  prevCursor: string | null;
  category: Category | null;
  categories: Category[];
}

/**
 * A page of a list: pinned topics first (on the first page), then the rest by the sort, by
 * keyset cursor either way. Three queries at most, whatever the forum's size.
 */
export async function listTopics(deps: Deps, input: ListTopicsInput, known?: Category[]): Promise<ListedTopics> {
  const categories = known ?? await readCategories(deps.db, input.site.id);
  const category = input.category ? findCategory(categories, input.category) : null;
  const spec = SORTS[input.sort];
  const limit = input.limit ?? TOPICS_PER_PAGE;
  const after = input.cursor ? decodeCursor(input.cursor, spec) : null;
  const before = !after && input.before ? decodeCursor(input.before, spec) : null;
  const days = input.sort === 'top' ? PERIOD_DAYS[input.period ?? 'all'] : null;
  const scope = and(
    scopeOf(input.site, categories, category),
    days ? sql`${threads.createdAt} > ${new Date(deps.now().getTime() - days * 86_400_000).toISOString()}::timestamptz` : undefined,
  );
  const unread = input.viewerId
    ? sql<boolean>`not exists (select 1 from ${forumReads} r where r.user_id = ${input.viewerId} and r.thread_id = ${threads.id} and r.read_at >= ${threads.lastActivityAt})`
    : sql<null>`null`;
  const columns = { thread: threads, key: spec.key, unread };
  const window = after ? spec.after(after.value, after.id) : before ? spec.before(before.value, before.id) : undefined;
  const fetched = await deps.db.select(columns).from(threads).where(and(scope, eq(threads.pinned, false), window))
    .orderBy(...(before ? spec.reverse : spec.order)).limit(limit + 1);
  const more = fetched.length > limit;
  const page = before ? fetched.slice(0, limit).reverse() : fetched.slice(0, limit);
  const first = !after && !(before && more);
  // Pinned topics lead the first page only: the cursor pages walk the rest.
  const pinned = first ? await deps.db.select(columns).from(threads).where(and(scope, eq(threads.pinned, true))).orderBy(...spec.order).limit(limit) : [];
  const cursorOf = (row: (typeof page)[number] | undefined) => (row ? encodeCursor(row.key as string, row.thread.id) : null);
  return {
    topics: [...pinned, ...page].map((r) => toApiTopic(deps, input.site, r.thread, categories, r.unread ?? undefined)),
    nextCursor: before || more ? cursorOf(page.at(-1)) : null,
    prevCursor: first ? null : cursorOf(page[0]),
    category,
    categories,
  };
}

export interface NewTopicInput {
  site: string;
  category: string;
  title: string;
  body: string;
}

/**
 * Starts a topic: its thread and its first post in one transaction (never one without the
 * other). The post passes the comments' moderation rules: held, the topic waits unseen with it.
 */
export async function createTopic(deps: Deps, caller: Caller, input: NewTopicInput): Promise<{ topic: ApiTopic; held: boolean }> {
  const site = await forumSite(deps, caller, input.site);
  const actor = requireActor(caller, 'comment', 'Sign in to start a topic.');
  if (actor.isGuest) throw new AuthRequired('Sign in with an account to start a topic; guests may reply.');
  const title = cleanName(input.title).replace(/\s+/g, ' ');
  const body = cleanBody(input.body).trim();
  if (!title) throw new BadRequest('title must not be empty', { title: ['title must not be empty'] });
  if (!body) throw new BadRequest('body must not be empty', { body: ['body must not be empty'] });
  const categories = await readCategories(deps.db, site.id);
  const category = findCategory(categories, input.category);
  const ipHash = hashIp(deps.secret, caller.ip);
  const standing = await readStanding(deps.db, { siteId: site.id, userId: actor.userId, email: null, ipHash, now: deps.now() });
  if (!canStartTopic(category, { isGuest: actor.isGuest, role: standing.role })) {
    throw new Forbidden(category.startTopics === 'nobody' ? 'Topics are not started in this category.' : 'Only the site\'s staff start topics in this category.');
  }
  if (category.locked) throw new Forbidden('This category is locked: no new topics.');
  refuseBannedWords(title, site);
  const decision = await decideNewComment(deps.db, { site, authorId: actor.userId, isGuest: false, body, ipHash, standing, now: deps.now() });
  await deps.limits.consume('thread', limitKeys(ipHash, actor.userId));
  await deps.limits.consume('post', limitKeys(ipHash, actor.userId));
  const now = deps.now();
  const thread = await transactional(deps.db, async (tx, afterCommit) => {
    const id = randomUUID();
    const [row] = await tx.insert(threads).values({
      id, siteId: site.id, key: `topic:${id}`, url: `${deps.publicUrl}${topicPath(site, { id, title })}`, title, kind: 'topic',
      categoryId: category.id, authorId: actor.userId, authorName: actor.displayName, createdAt: now, lastActivityAt: now,
    }).returning();
    const postId = randomUUID();
    const post = await insertComment(tx, {
      id: postId, siteId: site.id, threadId: id, parentId: null, rootId: postId, depth: 0, authorId: actor.userId,
      authorName: actor.displayName, authorIsGuest: false, bodySource: body, bodyHtml: renderMarkdown(body),
      status: decision.status, moderationReasons: decision.reasons, shadowed: decision.shadowed, ipHash, createdAt: now,
    });
    if (post.status === 'pending' && !post.shadowed) {
      afterCommit(() => deps.events.emit('moderation.changed', { siteId: site.id, commentId: post.id, status: post.status, flagCount: 0 }));
    }
    await deps.outbox.add({ tx, afterCommit }, { type: 'thread.created', siteId: site.id, threadId: id });
    await deps.outbox.add({ tx, afterCommit }, { type: 'comment.created', siteId: site.id, threadId: id, commentId: post.id });
    await deps.changeLog.record({ tx, afterCommit, events: deps.events }, {
      name: 'comment.created', siteId: site.id, threadId: id, commentId: post.id,
      audienceUserId: post.status === 'approved' ? null : actor.userId, payload: { comment: toApiComment(post) },
    });
    const counted = { ...row, commentCount: post.status === 'approved' ? 1 : 0 };
    if (post.status === 'approved') {
      afterCommit(() => deps.events.emit('topic.created', { siteId: site.id, topic: toApiTopic(deps, site, counted, categories) }));
    }
    return counted;
  });
  return { topic: toApiTopic(deps, site, thread, categories), held: thread.commentCount === 0 };
}

/** A signed-in reader read a topic now: lists stop marking it unread until something new is posted. */
export async function markTopicRead(deps: Deps, userId: string, threadId: string): Promise<void> {
  const now = deps.now();
  await deps.db.insert(forumReads).values({ userId, threadId, readAt: now })
    .onConflictDoUpdate({ target: [forumReads.userId, forumReads.threadId], set: { readAt: now } });
}

/** Topics of a site, newest activity first, for its sitemap (at most 50,000 addresses, the protocol's limit). */
export async function sitemapTopics(deps: Deps, site: Site): Promise<Array<{ path: string; lastmod: Date }>> {
  const categories = await readCategories(deps.db, site.id);
  const rows = await deps.db.select({ id: threads.id, title: threads.title, last: threads.lastActivityAt }).from(threads)
    .where(scopeOf(site, categories, null)).orderBy(desc(threads.lastActivityAt)).limit(50_000);
  return rows.map((r) => ({ path: topicPath(site, r), lastmod: r.last }));
}
