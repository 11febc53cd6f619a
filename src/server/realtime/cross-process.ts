import type { Server } from 'socket.io';
import type { Deps } from '../deps.js';
import { threadChangeNames } from '../events.js';
import type { PublicPages } from '../pages/public-pages.js';
import { dropSessionSockets, type ParleyServer } from './sockets.js';

const THREAD_CHANGED = 'parley:thread-changed';
const SESSION_REVOKED = 'parley:session-revoked';
const SITE_CHANGED = 'parley:site-changed';

/**
 * With several processes, what one process keeps in memory must learn of changes made in
 * another: a thread changed makes its cached pages and its site's counts stale, and a revoked
 * session must stop working everywhere at once, and a site's changed settings (origins, SSO
 * secret) must hold everywhere. These signals go through the socket adapter
 * that already carries live events; each reaches the cache it concerns directly (re-emitting
 * them as domain events would relay them to sockets a second time). Alone (no adapter), this
 * process's own events are the whole story.
 */
export function shareChangesAcrossProcesses(io: Server, deps: Deps, pages: PublicPages, crossProcess: boolean): () => void {
  if (!crossProcess) return () => {};
  io.on(THREAD_CHANGED, (siteId: unknown, threadId: unknown, cursor: unknown) => {
    if (typeof siteId === 'string' && typeof threadId === 'string' && typeof cursor === 'string' && /^\d{1,19}$/.test(cursor)) {
      pages.noteChange({ siteId, threadId, cursor });
    }
  });
  io.on(SESSION_REVOKED, (tokenHash: unknown) => {
    if (typeof tokenHash !== 'string') return;
    deps.sessions.delete(tokenHash);
    dropSessionSockets(io as unknown as ParleyServer, tokenHash);
  });
  // Every cache of sites listens to the domain event; marked as relayed, it is not sent back.
  io.on(SITE_CHANGED, (siteId: unknown) => {
    if (typeof siteId === 'string') deps.events.emit('site.changed', { siteId, fromOtherProcess: true });
  });
  const offs = [
    deps.events.on('site.changed', ({ siteId, fromOtherProcess }) => { if (!fromOtherProcess) io.serverSideEmit(SITE_CHANGED, siteId); }),
    ...threadChangeNames.map((name) => deps.events.on(name, (e) => { io.serverSideEmit(THREAD_CHANGED, e.siteId, e.threadId, e.cursor); })),
    deps.events.on('session.revoked', ({ tokenHash }) => { io.serverSideEmit(SESSION_REVOKED, tokenHash); }),
  ];
  return () => offs.forEach((off) => off());
}
