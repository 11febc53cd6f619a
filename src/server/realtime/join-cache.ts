import { LRUCache } from 'lru-cache';
import type { DbOrTx } from '../db/index.js';
import { threadChangeNames, type EventBus, type ThreadChange } from '../events.js';
import { readJoinTarget, type JoinTarget } from './join-target.js';

/** Far more threads than a process has readers on at once; a thread evicted is read again once. */
const MAX_THREADS = 10_000;
const MAX_SITES = 1_000;
/** As the HTTP origin allowlist: a change to a site made by another process is seen within this. */
export const SITE_REFRESH_MS = 10_000;

/** What the origin check reads of a thread's site. */
export interface SiteAccess {
  siteEnabled: boolean;
  allowedOrigins: string[];
}

interface ThreadEntry {
  siteId: string;
  /** The newest cursor of the thread that this process knows of. */
  latest: bigint;
}

export interface JoinCache {
  /** The thread's site as the origin check needs it, or null when there is no such thread. */
  access(threadId: string): Promise<SiteAccess | null>;
  /**
   * Whether `since` is the newest cursor of the thread as this process knows it. Synchronous: a
   * room joined in the same tick misses nothing, as any later change is announced after it.
   * Only the changes made in this process move it: with several processes it proves nothing.
   */
  isLatest(threadId: string, since: bigint): boolean;
  close(): void;
}

/**
 * Keeps what a socket join needs (a thread's site, the site's origins, the thread's newest
 * cursor) so that joining a busy thread costs no query. Threads never change site; sites are
 * dropped on `site.changed` and re-read after SITE_REFRESH_MS; cursors follow the thread changes
 * this process announces. A miss reads all of it in one query, shared by concurrent joins.
 */
export function createJoinCache(deps: { db: DbOrTx; events: EventBus }): JoinCache {
  const threads = new LRUCache<string, ThreadEntry>({ max: MAX_THREADS });
  const sites = new LRUCache<string, SiteAccess>({ max: MAX_SITES, ttl: SITE_REFRESH_MS });
  const loading = new Map<string, Promise<JoinTarget | null>>();
  // Changes announced while a thread's row is being read: the read may predate them.
  const seenWhileLoading = new Map<string, bigint>();

  const onChange = ({ threadId, cursor }: ThreadChange) => {
    const at = BigInt(cursor);
    const entry = threads.peek(threadId);
    if (entry && at > entry.latest) entry.latest = at;
    const seen = seenWhileLoading.get(threadId);
    if (seen !== undefined && at > seen) seenWhileLoading.set(threadId, at);
  };
  const offs = [
    ...threadChangeNames.map((name) => deps.events.on(name, onChange)),
    deps.events.on('site.changed', ({ siteId }) => { sites.delete(siteId); }),
  ];

  const remember = (target: JoinTarget) => {
    const known = [BigInt(target.latestCursor), threads.peek(target.threadId)?.latest, seenWhileLoading.get(target.threadId)];
    const latest = known.reduce<bigint>((a, b) => (b !== undefined && b > a ? b : a), -1n);
    threads.set(target.threadId, { siteId: target.siteId, latest });
    sites.set(target.siteId, { siteEnabled: target.siteEnabled, allowedOrigins: target.allowedOrigins });
  };

  const load = (threadId: string): Promise<JoinTarget | null> => {
    let pending = loading.get(threadId);
    if (!pending) {
      seenWhileLoading.set(threadId, -1n);
      pending = readJoinTarget(deps.db, threadId)
        .then((target) => { if (target) remember(target); return target; })
        .finally(() => { loading.delete(threadId); seenWhileLoading.delete(threadId); });
      loading.set(threadId, pending);
    }
    return pending;
  };

  return {
    async access(threadId) {
      const thread = threads.get(threadId);
      const site = thread && sites.get(thread.siteId);
      if (site) return site;
      const target = await load(threadId);
      return target && { siteEnabled: target.siteEnabled, allowedOrigins: target.allowedOrigins };
    },
    isLatest(threadId, since) {
      return threads.peek(threadId)?.latest === since;
    },
    close() {
      offs.forEach((off) => off());
    },
  };
}
