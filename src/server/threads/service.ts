import { and, eq, inArray, or } from 'drizzle-orm';
import type { ApiThread } from '../../shared/api.js';
import { assertCallerOnSite } from '../auth/service.js';
import { transactional } from '../db/index.js';
import { threads } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { BadRequest, Forbidden, NotFound } from '../errors.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { originOf, siteNamedOrAllowing, type Site } from '../sites/service.js';
import { cleanName } from '../text.js';
import { looksLikeUrl, threadKeyForUrl } from './keys.js';
import { readThreadWithSite } from './queries.js';
import { effectiveThreadStatus } from './policy.js';

export type Thread = typeof threads.$inferSelect;

export function toApiThread(thread: Thread, site: Pick<Site, 'slug' | 'autoCloseDays'>, now = new Date()): ApiThread {
  const { id, key, url, title, commentCount } = thread;
  return { id, site: site.slug, key, url, title, status: effectiveThreadStatus(thread, site, now), commentCount };
}

export interface ResolveThreadInput {
  site?: string;
  key?: string;
  url?: string;
  title?: string;
}

/** Whether the request comes from one of the site's own pages: only those create threads or set titles. */
function fromSitePage(caller: Caller, site: Site): boolean {
  return caller.origin !== null && site.allowedOrigins.includes(caller.origin);
}

/**
 * Finds a page's thread, creating it on first view, but only when the browser says the view
 * comes from one of the site's own origins and the page URL lies on that same origin: nobody
 * else can fill a site with threads or give a future article its title.
 */
export async function resolveThread(deps: Deps, caller: Caller, input: ResolveThreadInput): Promise<{ site: Site; thread: Thread }> {
  const site = await siteNamedOrAllowing(deps, { slug: input.site, pageUrl: input.url ?? caller.origin ?? undefined });
  // Parley's own pages (the forum) read every site's threads; only the site's pages create them (below).
  assertCallerOnSite(caller, site, ownOrigin(deps));
  // A page without an identifier is keyed by its address (Disqus does the same): normalised, so that
  // every way of writing it, and an imported Disqus thread keyed by its link, name one thread.
  const key = input.key ? (looksLikeUrl(input.key) ? safeKey(input.key, site) : input.key)
    : input.url ? threadKeyForUrl(input.url, site.significantQueryParams) : undefined;
  if (!key) throw new BadRequest('Give the page key or its URL.');
  const title = input.title ? cleanName(input.title) || null : null;
  const existing = await findThread(deps, site.id, key);
  if (existing) return { site, thread: await refreshTitle(deps, caller, site, existing, title) };
  if (!input.url) throw new NotFound(`Thread "${key}"`);
  if (!fromSitePage(caller, site)) {
    throw caller.origin === null
      ? new NotFound(`Thread "${key}" (a thread is created by a view from one of the site's pages)`)
      : new Forbidden(`${caller.origin} is not an origin of this site.`);
  }
  if (originOf(input.url) !== caller.origin) throw new Forbidden('The page URL is not on the origin of the page asking.');
  await deps.limits.consume('thread', limitKeys(hashIp(deps.secret, caller.ip), null));
  const url = new URL(input.url);
  url.hash = '';
  await transactional(deps.db, async (tx, afterCommit) => {
    const [created] = await tx
      .insert(threads)
      .values({ siteId: site.id, key, url: url.toString(), title })
      .onConflictDoNothing({ target: [threads.siteId, threads.key] })
      .returning({ id: threads.id });
    if (created) await deps.outbox.add({ tx, afterCommit }, { type: 'thread.created', siteId: site.id, threadId: created.id });
  });
  // A concurrent first view may have created it: either way, read the one row.
  return { site, thread: (await findThread(deps, site.id, key))! };
}

/** A page's title changes (a corrected headline): taken from later views of the site's own pages only. */
async function refreshTitle(deps: Deps, caller: Caller, site: Site, thread: Thread, title: string | null): Promise<Thread> {
  if (!title || title === thread.title || !fromSitePage(caller, site)) return thread;
  const [updated] = await deps.db.update(threads).set({ title }).where(eq(threads.id, thread.id)).returning();
  return updated ?? thread;
}

async function findThread(deps: Deps, siteId: string, key: string): Promise<Thread | undefined> {
  const [thread] = await deps.db.select().from(threads).where(and(eq(threads.siteId, siteId), eq(threads.key, key))).limit(1);
  return thread;
}

/** A thread and its site, in one query, once the caller is known to belong there. */
export async function getThreadForCaller(deps: Deps, caller: Caller, id: string): Promise<{ thread: Thread; site: Site }> {
  const found = await readThreadWithSite(deps.db, id);
  if (!found) throw new NotFound('Thread');
  // Parley's own pages (the forum's topics) take part in every site's threads, as its dashboard moderates them.
  assertCallerOnSite(caller, found.site, ownOrigin(deps));
  return found;
}

/**
 * Comment counts for list pages: a key matches a thread's identifier, or (an address) its
 * normalised URL. Without a site slug (count.js under an unchanged Disqus snippet), the asking
 * page's origin names it.
 */
export async function countComments(deps: Deps, site: Site, input: { keys: string[] }): Promise<Record<string, number>> {
  const keys = [...new Set(input.keys)];
  const lookupOf = new Map(keys.map((k) => [k, looksLikeUrl(k) ? safeKey(k, site) : k]));
  const lookups = [...new Set(lookupOf.values())];
  const rows = await deps.db
    .select({ key: threads.key, url: threads.url, count: threads.commentCount })
    .from(threads)
    .where(and(eq(threads.siteId, site.id), or(inArray(threads.key, lookups), inArray(threads.url, keys))));
  const countFor = (k: string) => rows.find((r) => r.key === lookupOf.get(k) || r.url === k)?.count ?? 0;
  // Object.fromEntries, not assignment: a key such as "__proto__" is only a key.
  return Object.fromEntries(keys.map((k) => [k, countFor(k)]));
}

function safeKey(url: string, site: Site): string {
  try {
    return threadKeyForUrl(url, site.significantQueryParams);
  } catch {
    return url;
  }
}
