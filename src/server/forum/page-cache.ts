/**
 * A topic page's main part is the same bytes for every reader without a session: rendered
 * once, kept, and dropped when its thread changes (any of the thread's live events here) or
 * after a few seconds (a change made by another process). The frame around it (the nonce, the
 * header) is written for each response.
 */
import { LRUCache } from 'lru-cache';
import type { Deps } from '../deps.js';
import { threadChangeNames } from '../events.js';

const TTL_MS = 3_000;

export interface TopicPageCache {
  get(threadId: string, variant: string): string | undefined;
  set(threadId: string, variant: string, html: string): void;
  forget(threadId: string): void;
}

const caches = new WeakMap<Deps['events'], TopicPageCache>();

export function topicPageCache(deps: Deps): TopicPageCache {
  const known = caches.get(deps.events);
  if (known) return known;
  const pages = new LRUCache<string, string>({ max: 2_000, ttl: TTL_MS, maxSize: 64 * 1024 * 1024, sizeCalculation: (html) => html.length || 1 });
  const variants = new Map<string, Set<string>>();
  const cache: TopicPageCache = {
    get: (threadId, variant) => pages.get(`${threadId}|${variant}`),
    set(threadId, variant, html) {
      pages.set(`${threadId}|${variant}`, html);
      variants.set(threadId, (variants.get(threadId) ?? new Set()).add(variant));
    },
    forget(threadId) {
      for (const variant of variants.get(threadId) ?? []) pages.delete(`${threadId}|${variant}`);
      variants.delete(threadId);
    },
  };
  for (const name of threadChangeNames) deps.events.on(name, ({ threadId }) => cache.forget(threadId));
  caches.set(deps.events, cache);
  return cache;
}
