import { max } from 'drizzle-orm';
import type { CommentSort } from '../../shared/api.js';
import { assertCallerOnSite } from '../auth/service.js';
import { listThreadComments } from '../comments/listing.js';
import { threadEvents } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { threadChangeNames } from '../events.js';
import { countComments } from '../threads/service.js';
import { PageCache, type CachedPage } from './page-cache.js';
import { siteLookup, threadSiteLookup } from './thread-sites.js';

/** Changes to any thread of a site make its counts stale. */
const siteKey = (siteId: string) => `site:${siteId}`;

export interface PageQuery {
  sort: CommentSort;
  cursor?: string;
  limit: number;
}

export interface PublicPages {
  /** A thread's page as every reader gets it, from memory when it is current. */
  read(caller: Caller, threadId: string, query: PageQuery): Promise<CachedPage>;
  /** Comment counts of a site's pages (count.js), from memory while none of its threads changed. */
  counts(input: { site?: string; pageOrigin?: string; keys: string[] }): Promise<CachedPage>;
  /** A change to a thread seen in another process (through the socket adapter). */
  noteChange(change: { siteId: string; threadId: string; cursor: string }): void;
  close(): void;
}

export interface PublicPagesOptions {
  maxBytes?: number;
  minRebuildMs?: number;
  maxAgeMs?: number;
}

/**
 * The public pages of threads: the caller's origin is checked against the thread's site (from
 * memory), then the page comes from the cache, which this process's thread changes keep current.
 */
export function publicPages(deps: Deps, options: PublicPagesOptions = {}): PublicPages {
  const cache = new PageCache({
    maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
    minRebuildMs: options.minRebuildMs ?? 250,
    maxAgeMs: options.maxAgeMs ?? 30_000,
  });
  const threadSite = threadSiteLookup(deps);
  const findSite = siteLookup(deps);
  const noteChange = (e: { siteId: string; threadId: string; cursor: string }) => {
    cache.noteChange(e.threadId, e.cursor);
    cache.noteChange(siteKey(e.siteId), e.cursor);
  };
  const offs = threadChangeNames.map((name) => deps.events.on(name, noteChange));
  offs.push(deps.events.on('site.changed', () => cache.clear()));
  return {
    async read(caller, threadId, query) {
      const { site } = await threadSite(threadId);
      assertCallerOnSite({ ...caller, actor: null }, site);
      const key = `${threadId}|${query.sort}|${query.cursor ?? ''}|${query.limit}`;
      return cache.get(key, threadId, async () => {
        const page = await listThreadComments(deps, { thread: { id: threadId }, ...query });
        return { json: JSON.stringify(page), cursor: page.eventCursor };
      });
    },
    async counts(input) {
      const site = await findSite(input);
      const keys = [...new Set(input.keys)].sort();
      return cache.get(`counts|${site.id}|${keys.join('\u0001')}`, siteKey(site.id), async () => {
        // Cursors are one sequence for every thread: counts read after the newest are at least that current.
        const [latest] = await deps.db.select({ id: max(threadEvents.id) }).from(threadEvents);
        const counts = await countComments(deps, site, { keys });
        return { json: JSON.stringify({ counts }), cursor: String(latest?.id ?? 0) };
      });
    },
    noteChange,
    close: () => offs.forEach((off) => off()),
  };
}
