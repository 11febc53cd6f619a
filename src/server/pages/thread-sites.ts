import { eq } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { sites, threads } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import { siteNamedOrAllowing, type Site } from '../sites/service.js';

export interface ThreadSite {
  threadId: string;
  site: Site;
}

/**
 * Which site a thread belongs to, for the checks a public read makes (the caller's origin
 * against the site's): from memory, since a thread never changes site and a site's settings
 * change rarely. A site change here drops everything; one in another process is seen within
 * the entries' lifetime.
 */
export function threadSiteLookup(deps: Deps, ttlMs = 10_000) {
  const cache = new LRUCache<string, ThreadSite>({ max: 50_000, ttl: ttlMs });
  deps.events.on('site.changed', () => cache.clear());
  return async (threadId: string): Promise<ThreadSite> => {
    const known = cache.get(threadId);
    if (known) return known;
    const [found] = await deps.db
      .select({ threadId: threads.id, site: sites })
      .from(threads)
      .innerJoin(sites, eq(sites.id, threads.siteId))
      .where(eq(threads.id, threadId))
      .limit(1);
    if (!found) throw new NotFound('Thread');
    cache.set(threadId, found);
    return found;
  };
}

/** The site a count.js request names (by slug, or by the asking page's origin), from memory like threads'. */
export function siteLookup(deps: Deps, ttlMs = 10_000) {
  const cache = new LRUCache<string, Site>({ max: 10_000, ttl: ttlMs });
  deps.events.on('site.changed', () => cache.clear());
  return async (input: { site?: string; pageOrigin?: string }): Promise<Site> => {
    const key = input.site ? `slug:${input.site}` : `origin:${input.pageOrigin ?? ''}`;
    const known = cache.get(key);
    if (known) return known;
    const site = await siteNamedOrAllowing(deps, { slug: input.site, pageUrl: input.pageOrigin });
    cache.set(key, site);
    return site;
  };
}
