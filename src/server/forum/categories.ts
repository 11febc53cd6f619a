/**
 * A site's forum categories: read in the site's order with their counts, and made (by the demo's
 * seed, the CLI). Counts are summed from the threads at read time: one grouped scan of a site's
 * threads, so no counter can drift from what the lists show.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ApiCategory } from '../../shared/forum.js';
import type { DbOrTx } from '../db/index.js';
import { forumCategories, threads } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { BadRequest, NotFound } from '../errors.js';

export type Category = typeof forumCategories.$inferSelect;

/** Threads the forum shows: every article thread, and topics whose first post is published. */
export const forumVisible = sql`(${threads.kind} = 'article' or ${threads.commentCount} > 0)`;

export async function readCategories(db: DbOrTx, siteId: string): Promise<Category[]> {
  return db.select().from(forumCategories).where(eq(forumCategories.siteId, siteId))
    .orderBy(asc(forumCategories.position), asc(forumCategories.createdAt));
}

/** Parents in the site's order, each followed by its subcategories in theirs. */
export function inSiteOrder<C extends { id: string; parentId: string | null }>(categories: C[]): C[] {
  return categories.filter((c) => c.parentId === null).flatMap((parent) => [parent, ...categories.filter((c) => c.parentId === parent.id)]);
}

export function findCategory(categories: Category[], slug: string): Category {
  const found = categories.find((c) => c.slug === slug);
  if (!found) throw new NotFound(`Category "${slug}"`);
  return found;
}

interface Stats { topics: number; posts: number; last: Date | null }

/** How long a site's counts are reused: every page shows them, and a change here drops them at once. */
const STATS_TTL_MS = 5_000;
type StatsEntries = Map<string, { at: number; stats: Promise<Map<string, Stats>> }>;
const statsCaches = new WeakMap<Deps['events'], StatsEntries>();

function statsCache(deps: Deps): StatsEntries {
  let cache = statsCaches.get(deps.events);
  if (!cache) {
    const entries: StatsEntries = new Map();
    const forget = ({ siteId }: { siteId: string }) => { entries.delete(siteId); };
    // A post or a topic here changes the counts now; another process's show within the TTL.
    for (const name of ['comment.created', 'comment.deleted', 'topic.created', 'moderation.changed'] as const) deps.events.on(name, forget);
    statsCaches.set(deps.events, (cache = entries));
  }
  return cache;
}

/** Drops a site's cached counts (a moderator moved or deleted a topic). */
export function forgetCategoryStats(deps: Deps, siteId: string): void {
  statsCache(deps).delete(siteId);
}

/** Topics, posts and latest activity per category (articles together): one grouped scan of the site's threads. */
function readStats(deps: Deps, siteId: string): Promise<Map<string, Stats>> {
  const cache = statsCache(deps);
  const held = cache.get(siteId);
  if (held && Date.now() - held.at < STATS_TTL_MS) return held.stats;
  const bucket = sql<string>`case when ${threads.kind} = 'article' then 'articles' else ${threads.categoryId}::text end`;
  const stats = deps.db.select({
    bucket, topics: sql<number>`count(*)::int`, posts: sql<number>`coalesce(sum(${threads.commentCount}), 0)::int`,
    last: sql<string | null>`max(${threads.lastActivityAt})`,
  }).from(threads).where(and(eq(threads.siteId, siteId), forumVisible)).groupBy(bucket)
    .then((rows) => new Map(rows.map((r) => [r.bucket, { topics: r.topics, posts: r.posts, last: r.last ? new Date(r.last) : null }])));
  cache.set(siteId, { at: Date.now(), stats });
  stats.catch(() => cache.delete(siteId));
  return stats;
}

/** The categories with their counts; a parent's include its children's. */
export async function listCategories(deps: Deps, siteId: string, known?: Category[]): Promise<ApiCategory[]> {
  const [categories, byBucket] = await Promise.all([known ?? readCategories(deps.db, siteId), readStats(deps, siteId)]);
  const own = (c: Category): Stats => byBucket.get(c.holdsArticles ? 'articles' : c.id) ?? { topics: 0, posts: 0, last: null };
  const total = (c: Category): Stats => [c, ...categories.filter((s) => s.parentId === c.id)].map(own).reduce((a, b) => ({
    topics: a.topics + b.topics, posts: a.posts + b.posts, last: !a.last || (b.last && b.last > a.last) ? b.last : a.last,
  }));
  return inSiteOrder(categories).map((c) => {
    const stats = total(c);
    return {
      id: c.id, slug: c.slug, name: c.name, description: c.description, parentId: c.parentId, topicCount: stats.topics,
      postCount: stats.posts, lastActivityAt: stats.last?.toISOString() ?? null, startTopics: c.startTopics, locked: c.locked,
      holdsArticles: c.holdsArticles,
    };
  });
}

const slugSchema = z.string().trim().min(1).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes');

export const newCategoryInput = z.strictObject({
  slug: slugSchema,
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(500).default(''),
  parent: slugSchema.optional(),
  startTopics: z.enum(['members', 'staff', 'nobody']).default('members'),
  locked: z.boolean().default(false),
  holdsArticles: z.boolean().default(false),
});
export type NewCategory = z.input<typeof newCategoryInput>;

/**
 * Adds a category at the end of its level; one that exists already (same slug) is left as it
 * is, so seeding twice adds nothing. Nested one level only: a parent must be top-level.
 */
export async function createCategory(deps: Deps, siteId: string, input: NewCategory): Promise<Category> {
  const parsed = newCategoryInput.safeParse(input);
  if (!parsed.success) throw new BadRequest('Invalid category.', z.flattenError(parsed.error).fieldErrors);
  const { parent: parentSlug, ...values } = parsed.data;
  const existing = await readCategories(deps.db, siteId);
  const parent = parentSlug ? findCategory(existing, parentSlug) : null;
  if (parent?.parentId) throw new BadRequest('Categories nest one level only: the parent must be a top-level category.');
  const position = existing.filter((c) => c.parentId === (parent?.id ?? null)).length;
  const [row] = await deps.db.insert(forumCategories).values({ ...values, siteId, parentId: parent?.id ?? null, position })
    .onConflictDoNothing({ target: [forumCategories.siteId, forumCategories.slug] }).returning();
  return row ?? existing.find((c) => c.slug === values.slug)!;
}
