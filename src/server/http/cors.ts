import cors from 'cors';
import type { Deps } from '../deps.js';
import { listAllowedOrigins } from '../sites/service.js';

const REFRESH_MS = 10_000;

/**
 * The origins any site allows, plus Parley's own. Cached briefly and dropped when a site
 * changes here; another process's change is seen within REFRESH_MS.
 */
export function originAllowlist(deps: Deps, ownOrigin: string) {
  let cached: { origins: Set<string>; at: number } | null = null;
  deps.events.on('site.changed', () => { cached = null; });
  return async (origin: string | undefined): Promise<boolean> => {
    if (!origin || origin === ownOrigin) return true;
    if (!cached || Date.now() - cached.at > REFRESH_MS) cached = { origins: await listAllowedOrigins(deps), at: Date.now() };
    return cached.origins.has(origin);
  };
}

export function apiCors(isAllowed: (origin: string | undefined) => Promise<boolean>) {
  return cors({
    origin: (origin, cb) => { isAllowed(origin).then((ok) => cb(null, ok), (err) => cb(err)); },
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization'],
    // The widget tells a reader posting too fast when to try again.
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
  });
}
