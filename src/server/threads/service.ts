import { and, eq, inArray, or } from 'drizzle-orm';
import type { ApiThread } from '../../shared/api.js';
import { sites, threads } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { BadRequest, Forbidden, NotFound } from '../errors.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { siteAllowsUrl, siteNamedOrAllowing, type Site } from '../sites/service.js';

export type Thread = typeof threads.$inferSelect;

/** The URL a thread is keyed by when the page gives no identifier: no fragment. */
export function normalizePageUrl(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed.toString();
}

export function toApiThread(thread: Thread): ApiThread {
  const { id, key, url, title, status, commentCount } = thread;
  return { id, key, url, title, status, commentCount };
}

export interface ResolveThreadInput {
  site?: string;
  key?: string;
  url?: string;
  title?: string;
  /** Of the request that may create the thread: creating one counts against a rate limit. */
  ip?: string;
}

/**
 * Finds a page's thread, creating it on first view, but only for a page on one of the
 * site's origins: nobody else can fill a site with threads.
 */
export async function resolveThread(deps: Deps, input: ResolveThreadInput): Promise<{ site: Site; thread: Thread }> {
  const site = await siteNamedOrAllowing(deps, { slug: input.site, pageUrl: input.url });
  const key = input.key || (input.url ? normalizePageUrl(input.url) : undefined);
  if (!key) throw new BadRequest('Give the page key or its URL.');
  const existing = await findThread(deps, site.id, key);
  if (existing) return { site, thread: existing };
  if (!input.url) throw new NotFound(`Thread "${key}"`);
  if (!siteAllowsUrl(site, input.url)) throw new Forbidden(`${input.url} is not on an origin this site allows.`);
  await deps.limits.consume('thread', limitKeys(hashIp(deps.secret, input.ip), null));
  await deps.db
    .insert(threads)
    .values({ siteId: site.id, key, url: normalizePageUrl(input.url), title: input.title || null })
    .onConflictDoNothing({ target: [threads.siteId, threads.key] });
  // A concurrent first view may have created it: either way, read the one row.
  return { site, thread: (await findThread(deps, site.id, key))! };
}

async function findThread(deps: Deps, siteId: string, key: string): Promise<Thread | undefined> {
  const [thread] = await deps.db.select().from(threads).where(and(eq(threads.siteId, siteId), eq(threads.key, key))).limit(1);
  return thread;
}

/** A thread with what reading it needs from its site, in one query. */
export async function getThreadForReading(deps: Deps, id: string): Promise<{ thread: Thread; editWindowSeconds: number }> {
  const [found] = await deps.db
    .select({ thread: threads, editWindowSeconds: sites.editWindowSeconds })
    .from(threads)
    .innerJoin(sites, eq(sites.id, threads.siteId))
    .where(eq(threads.id, id))
    .limit(1);
  if (!found) throw new NotFound('Thread');
  return found;
}

export async function getThread(deps: Deps, id: string): Promise<Thread> {
  const [thread] = await deps.db.select().from(threads).where(eq(threads.id, id)).limit(1);
  if (!thread) throw new NotFound('Thread');
  return thread;
}

/**
 * Comment counts for list pages: a key matches a thread's identifier or its URL. Without a
 * site slug (count.js under an unchanged Disqus snippet), the asking page's origin names it.
 */
export async function countComments(
  deps: Deps,
  input: { site?: string; pageOrigin?: string; keys: string[] },
): Promise<Record<string, number>> {
  const site = await siteNamedOrAllowing(deps, { slug: input.site, pageUrl: input.pageOrigin });
  const keys = [...new Set(input.keys)];
  const rows = await deps.db
    .select({ key: threads.key, url: threads.url, count: threads.commentCount })
    .from(threads)
    .where(and(eq(threads.siteId, site.id), or(inArray(threads.key, keys), inArray(threads.url, keys))));
  // A Map, not an object: a key such as "__proto__" is only a key.
  const counts = new Map(keys.map((k) => [k, 0]));
  for (const row of rows) {
    for (const k of [row.key, row.url]) {
      if (k !== null && counts.has(k)) counts.set(k, Math.max(counts.get(k)!, row.count));
    }
  }
  return Object.fromEntries(counts);
}
