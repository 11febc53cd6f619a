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
 * A lookup kept in memory: refreshed in the background once older than ttlMs (the old answer
 * serving meanwhile, so a read never waits for the database behind a burst of writes), and
 * dropped when a site changes here; a change in another process is seen within ttlMs.
 */
function memoized<V extends object>(deps: Deps, options: { max: number; ttlMs: number }, load: (key: string) => Promise<V | undefined>) {
  const cache = new LRUCache<string, V>({
    max: options.max,
    ttl: options.ttlMs,
    allowStale: true,
    noDeleteOnStaleGet: true,
    fetchMethod: (key) => load(key),
  });
  deps.events.on('site.changed', () => cache.clear());
  return (key: string) => cache.fetch(key);
}

/** Which site a thread belongs to, for the checks a public read makes (the caller's origin against the site's). */
export function threadSiteLookup(deps: Deps, ttlMs = 10_000) {
  const find = memoized<ThreadSite>(deps, { max: 50_000, ttlMs }, async (threadId) => {
    const [found] = await deps.db
      .select({ threadId: threads.id, site: sites })
      .from(threads)
      .innerJoin(sites, eq(sites.id, threads.siteId))
      .where(eq(threads.id, threadId))
      .limit(1);
    return found;
  });
  return async (threadId: string): Promise<ThreadSite> => {
    const found = await find(threadId);
    if (!found) throw new NotFound('Thread');
    return found;
  };
}

/** The site a count.js request names (by slug, or by the asking page's origin). */
export function siteLookup(deps: Deps, ttlMs = 10_000) {
  const find = memoized<Site>(deps, { max: 10_000, ttlMs }, (key) => {
    const [kind, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    return siteNamedOrAllowing(deps, kind === 'slug' ? { slug: value } : { pageUrl: value || undefined });
  });
  return async (input: { site?: string; pageOrigin?: string }): Promise<Site> =>
    (await find(input.site ? `slug:${input.site}` : `origin:${input.pageOrigin ?? ''}`))!;
}
