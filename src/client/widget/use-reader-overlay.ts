/** The reader's own state beside the shared page, kept in step with their session. */
import { useEffect } from 'preact/hooks';
import type { Dispatch } from 'preact/hooks';
import { onTokenChange, readToken } from '../common/session.js';
import type { FirstPaint } from './mount-options.js';
import type { ThreadAction } from './thread-state.js';

/**
 * Keeps the reader's own state in step with their session: an overlay that came after the
 * first paint is merged, and a session dropped as dead takes away what was theirs.
 */
export function useReaderOverlay(
  origin: string,
  site: string,
  first: FirstPaint,
  /** The overlay was merged for the first paint already. */
  merged: boolean,
  dispatch: Dispatch<ThreadAction>,
): void {
  useEffect(() => {
    let current = true;
    if (!merged) void first.overlay.then((overlay) => current && overlay && dispatch({ type: 'overlay', overlay }));
    const stop = onTokenChange((changed) => changed === site && !readToken(origin, site) && dispatch({ type: 'signedOut' }));
    return () => {
      current = false;
      stop();
    };
  }, [origin, site]);
}
