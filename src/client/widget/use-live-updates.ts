/** Starts live updates once the thread is on screen, loading socket.io-client only then. */
import { useEffect, useRef } from 'preact/hooks';
import type { Dispatch } from 'preact/hooks';
import { onTokenChange, readToken } from '../common/session.js';
import type { ThreadAction } from './thread-state.js';

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
    const stopWatchingToken = onTokenChange(() => connection?.reauthenticate());
    let cancelled = false;
    loadLive()
      .then(({ connectLive }) => {
        if (cancelled) return;
        connection = connectLive({
          origin,
          threadId,
          since,
          readToken: () => readToken(origin),
          handlers: {
            created: (event) => dispatch({ type: 'upsert', comment: event.comment }),
            updated: (event) => dispatch({ type: 'update', comment: event.comment }),
            deleted: (event) => dispatch({ type: 'remove', id: event.commentId, placeholder: event.placeholder }),
            votes: (event) => dispatch({ type: 'votes', id: event.commentId, counts: event }),
            resync: () => latestResync.current(),
          },
        });
      })
      .catch((error: unknown) => console.warn('[parley] live updates unavailable', error));
    return () => {
      cancelled = true;
      stopWatchingToken();
      connection?.stop();
    };
  }, [origin, threadId]);
}
