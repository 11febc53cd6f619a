import type { CommentSort } from '../../shared/api.js';
import { assertCallerOnSite } from '../auth/service.js';
import { listThreadComments } from '../comments/listing.js';
import type { Caller, Deps } from '../deps.js';
import { threadChangeNames } from '../events.js';
import { PageCache, type CachedPage } from './page-cache.js';
import { threadSiteLookup } from './thread-sites.js';

export interface PageQuery {
  sort: CommentSort;
  cursor?: string;
  limit: number;
}

export interface PublicPages {
  /** A thread's page as every reader gets it, from memory when it is current. */
  read(caller: Caller, threadId: string, query: PageQuery): Promise<CachedPage>;
  /** A change to a thread seen in another process (through the socket adapter). */
  noteChange(threadId: string, cursor: string): void;
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
  const offs = threadChangeNames.map((name) => deps.events.on(name, (e) => cache.noteChange(e.threadId, e.cursor)));
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
    noteChange: (threadId, cursor) => cache.noteChange(threadId, cursor),
    close: () => offs.forEach((off) => off()),
  };
}
