/** Starts live updates once the thread is on screen, loading socket.io-client only then. */
import { useEffect, useRef } from 'preact/hooks';
import type { Dispatch } from 'preact/hooks';
import { onTokenChange, readToken, saveToken } from '../common/session.js';
import type { LiveEventBase } from '../../shared/api.js';
import type { ListChange, ThreadAction } from './thread-state.js';

/**
 * The built live chunk's file name (hashed), set by scripts/build-client.ts. The chunk is
 * built on its own so widget.js imports nothing before it can render; unbundled (tests,
 * other tools) the plain import below is used.
 */
declare const PARLEY_LIVE_CHUNK: string | undefined;

function loadLive(): Promise<typeof import('./live.js')> {
  return typeof PARLEY_LIVE_CHUNK === 'string' ? import(PARLEY_LIVE_CHUNK) : import('./live.js');
}

export function useLiveUpdates(
  origin: string,
  site: string,
  threadId: string,
  since: string | undefined,
  dispatch: Dispatch<ThreadAction>,
  resync: () => Promise<string | undefined>,
): void {
  // The connection outlives renders; it must call the latest resync (which knows the sort).
  const latestResync = useRef(resync);
  latestResync.current = resync;
  useEffect(() => {
    let connection: import('./live.js').LiveConnection | null = null;
    const stopWatchingToken = onTokenChange((changed) => changed === site && connection?.reauthenticate());
    let cancelled = false;
    const live = (event: LiveEventBase, change: ListChange) => dispatch({ type: 'live', cursor: event.cursor, change });
    loadLive()
      .then(({ connectLive }) => {
        if (cancelled) return;
        connection = connectLive({
          origin,
          threadId,
          since,
          readToken: () => readToken(origin, site),
          // With its cursor, so a page loading meanwhile can tell whether it already reflects it.
          handlers: {
            created: (event) => live(event, { type: 'upsert', comment: event.comment }),
            updated: (event) => live(event, { type: 'update', comment: event.comment }),
            deleted: (event) => live(event, { type: 'remove', id: event.commentId, placeholder: event.placeholder, prunedIds: event.prunedIds ?? [] }),
            votes: (event) => live(event, { type: 'votes', id: event.commentId, counts: event }),
            thread: (event) => live(event, { type: 'status', status: event.status, cursor: event.cursor }),
            resync: () => latestResync.current(),
            presence: (count) => dispatch({ type: 'presence', count }),
            // Dropping the dead token reconnects (as a token change does); a newer one only needs the reconnection.
            revoked: (token) => {
              if (token && readToken(origin, site) === token) saveToken(origin, site, null);
              else connection?.reauthenticate();
            },
          },
        });
      })
      .catch((error: unknown) => console.warn('[parley] live updates unavailable', error));
    return () => {
      cancelled = true;
      stopWatchingToken();
      connection?.stop();
    };
  }, [origin, site, threadId]);
}
