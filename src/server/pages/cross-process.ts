import type { Server } from 'socket.io';
import type { Deps } from '../deps.js';
import { threadChangeNames } from '../events.js';
import type { PublicPages } from './public-pages.js';

const CHANGED = 'parley:thread-changed';

/**
 * With several processes, a thread changed in one makes its cached pages stale in all: the
 * change goes to the others through the socket adapter that already carries live events.
 * Alone (no adapter), this process's own events are the whole story.
 */
export function shareThreadChanges(io: Server, deps: Deps, pages: PublicPages, crossProcess: boolean): () => void {
  if (!crossProcess) return () => {};
  io.on(CHANGED, (siteId: unknown, threadId: unknown, cursor: unknown) => {
    if (typeof siteId === 'string' && typeof threadId === 'string' && typeof cursor === 'string' && /^\d{1,19}$/.test(cursor)) {
      pages.noteChange({ siteId, threadId, cursor });
    }
  });
  const offs = threadChangeNames.map((name) => deps.events.on(name, (e) => { io.serverSideEmit(CHANGED, e.siteId, e.threadId, e.cursor); }));
  return () => offs.forEach((off) => off());
}
