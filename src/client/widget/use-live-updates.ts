/** Starts live updates once the thread is on screen, loading socket.io-client only then. */
import { useEffect } from 'preact/hooks';
import type { Dispatch } from 'preact/hooks';
import type { ThreadAction } from './thread-state.js';

export function useLiveUpdates(
  origin: string,
  threadId: string,
  since: string | undefined,
  dispatch: Dispatch<ThreadAction>,
): void {
  useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    import('./live.js')
      .then(({ connectLive }) => {
        if (cancelled) return;
        stop = connectLive({
          origin,
          threadId,
          since,
          handlers: {
            created: (event) => dispatch({ type: 'upsert', comment: event.comment }),
            updated: (event) => dispatch({ type: 'update', comment: event.comment }),
            deleted: (event) => dispatch({ type: 'remove', id: event.commentId, placeholder: event.placeholder }),
            votes: (event) => dispatch({ type: 'votes', id: event.commentId, counts: event }),
          },
        });
      })
      .catch((error: unknown) => console.warn('[parley] live updates unavailable', error));
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [origin, threadId]);
}
