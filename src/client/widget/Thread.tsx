/** The whole thread: header with count and sort, the composer, the comments, and paging. */
import { useEffect, useId, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { CommentSort, ReaderOverlay, ThreadStatus } from '../../shared/api.js';
import { AccountBar } from './AccountBar.js';
import { t, tn, tParts } from './i18n.js';
import type { TextKey } from './i18n/en.js';
import { errorText, WidgetApi } from './api.js';
import { CommentItem } from './CommentItem.js';
import { Composer } from './Composer.js';
import { WidgetContext, type WidgetContextValue } from './context.js';
import { callEach, type FirstPaint, type MountOptions } from './mount-options.js';
import { initialThreadState, threadReducer } from './thread-state.js';
import { fetchOverlay, fetchThread } from './thread-request.js';
import { useAccount } from './use-account.js';
import { useLiveUpdates } from './use-live-updates.js';
import { useReaderOverlay } from './use-reader-overlay.js';
import { useThreadActions } from './use-thread-actions.js';
import { useNavigation } from './use-navigation.js';
import { findComment } from './tree.js';

/** Said in place of the composer when the thread takes no new comments. */
const STATUS_NOTES: Record<Exclude<ThreadStatus, 'open'>, TextKey> = {
  locked: 'locked',
  closed: 'closed',
};

const SORTS: Array<[CommentSort, TextKey]> = [
  ['best', 'sortBest'],
  ['newest', 'sortNewest'],
  ['oldest', 'sortOldest'],
];

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

interface ThreadProps {
  options: MountOptions;
  first: FirstPaint;
  /** The reader's overlay if it came in time for the first paint; undefined: it is merged when it comes. */
  overlay: ReaderOverlay | null | undefined;
}

export function Thread({ options, first, overlay }: ThreadProps) {
  const initial = first.response;
  const [state, dispatch] = useReducer(threadReducer, null, () => initialThreadState(initial, overlay ?? null));
  const [listError, setListError] = useState<string | null>(null);
  const site = state.thread.site;
  const api = useMemo(() => new WidgetApi(options.origin, site), [options.origin, site]);
  const threadId = state.thread.id;
  const actions = useThreadActions(api, threadId, dispatch, options.callbacks);
  const now = useNow(30_000);
  const headingId = useId();
  useLiveUpdates(options.origin, site, threadId, initial.eventCursor, dispatch, resync);

  useReaderOverlay(options.origin, site, first, overlay !== undefined, dispatch);
  // After the live updates start: a returning reader's /me is not part of the first paint.
  const account = useAccount({
    origin: options.origin,
    site,
    first,
    sso: options.page.sso,
    // What was the previous session's in this thread goes; the new one's comes with its overlay.
    onSignedIn: () => void fetchOverlay(options.origin, site, threadId).then((own) => {
      dispatch({ type: 'signedOut' });
      if (own) dispatch({ type: 'overlay', overlay: own });
    }),
  });

  useEffect(() => callEach(options.callbacks.onReady), []);
  // After "Load more", keyboard and screen-reader users continue at the first new comment.
  const list = useRef<HTMLUListElement>(null);
  const navigation = useNavigation({
    api, threadId, pageUrl: options.page.url, comments: state.comments, incoming: state.incoming, dispatch, within: list,
  });
  const subtree = navigation.subtree ? findComment(state.comments, navigation.subtree) : null;

  const context: WidgetContextValue = {
    origin: options.origin,
    threadId,
    now,
    open: state.thread.status === 'open',
    closed: state.thread.status === 'closed',
    reader: state.reader,
    fresh: state.fresh,
    account,
    hasSession: () => api.hasSession(),
    actions,
    ...navigation,
  };

  // Only the newest load may land: a slow answer to an earlier sort must not overwrite a later one.
  const latestLoad = useRef(0);
  const [focusOn, setFocusOn] = useState<string | null>(null);
  useEffect(() => {
    if (!focusOn) return;
    list.current?.querySelector<HTMLElement>(`article[data-comment-id="${focusOn}"]`)?.focus();
    setFocusOn(null);
  }, [focusOn]);

  /** Shows the comments held back, and takes the reader to the newest. */
  function showIncoming() {
    const newest = state.incoming[0];
    dispatch({ type: 'showIncoming' });
    if (newest) setFocusOn(newest.id);
  }

  /**
   * More was missed than the server replays: the comments are read again, and so is the thread,
   * whose status (locked, closed) may be among what was missed.
   */
  function resync(): Promise<string | undefined> {
    fetchThread(options.origin, { ...options.page, site }).then(
      ({ thread, eventCursor }) => eventCursor && dispatch({ type: 'status', status: thread.status, cursor: eventCursor }),
      () => undefined,
    );
    return load('sort', state.sort);
  }

  /** Loads a page; resolves to its live cursor (undefined when it failed or was superseded). */
  async function load(what: 'sort' | 'more', sort: CommentSort): Promise<string | undefined> {
    const ticket = ++latestLoad.current;
    dispatch({ type: 'loading', what });
    setListError(null);
    try {
      const page = await api.comments(threadId, sort, what === 'more' ? state.nextCursor : null);
      if (ticket !== latestLoad.current) return undefined;
      dispatch(what === 'more' ? { type: 'more', page } : { type: 'sorted', sort, page });
      if (what === 'more' && page.comments[0]) setFocusOn(page.comments[0].id);
      return page.eventCursor;
    } catch (error) {
      if (ticket !== latestLoad.current) return undefined;
      dispatch({ type: 'loadFailed' });
      setListError(errorText(error));
      return undefined;
    }
  }

  return (
    <WidgetContext.Provider value={context}>
      {/* Named by its heading ("3 Comments"): host pages often wrap the widget in a region named
          "Comments" already, and two nested landmarks with one name cannot be told apart. */}
      <section class="thread" aria-labelledby={headingId}>
        <AccountBar account={account} origin={options.origin} />
        <header class="thread-head">
          <h2 id={headingId}>{tn('comments', state.count)}</h2>
          {/* Others besides the reader: "1 reading now" would only ever be them. */}
          {state.reading > 1 && <span class="reading">{tn('readingNow', state.reading)}</span>}
          <label class="sort">
            <span>{t('sortBy')}</span>
            <select
              value={state.sort}
              onChange={(event) => load('sort', event.currentTarget.value as CommentSort)}
            >
              {SORTS.map(([value, label]) => (
                <option key={value} value={value}>
                  {t(label)}
                </option>
              ))}
            </select>
          </label>
        </header>
        {state.thread.status === 'open' && <Composer parentId={null} />}
        {/* Always there, so that a moderator locking the thread live is announced. */}
        <div role="status">
          {state.thread.status !== 'open' && <p class="notice">{t(STATUS_NOTES[state.thread.status] ?? STATUS_NOTES.closed)}</p>}
        </div>
        {state.comments.length === 0 && !state.loading && (
          <p class="empty">{t(context.open ? 'empty' : 'emptyClosed')}</p>
        )}
        {/* Announced politely, never moving the page: the reader shows them when they choose. */}
        <p class="sr-only" role="status">
          {state.incoming.length > 0 && tn('newComments', state.incoming.length)}
        </p>
        {/* Floats over the list (it takes no room of its own), in view however far the reader scrolled. */}
        <div class="incoming">
          {state.incoming.length > 0 && (
            <button type="button" onClick={showIncoming}>
              {tn('newComments', state.incoming.length)}
            </button>
          )}
        </div>
        {subtree && (
          <button type="button" class="link back" onClick={() => navigation.openSubtree(null)}>
            <span aria-hidden="true">← </span>
            {t('backToThread')}
          </button>
        )}
        <ul class="comments" ref={list} aria-busy={state.loading === 'sort'}>
          {(subtree ? [subtree] : state.comments).map((comment) => (
            <CommentItem key={comment.id} comment={comment} level={0} />
          ))}
        </ul>
        {listError && (
          <p class="error" role="alert">
            {listError}
          </p>
        )}
        {state.nextCursor && !subtree && (
          <button
            type="button"
            class="more"
            aria-busy={state.loading === 'more'}
            onClick={() => state.loading === null && load('more', state.sort)}
          >
            {t('loadMore')}
          </button>
        )}
        <p class="powered">
          {tParts('poweredBy', { link: <a href={options.origin} target="_blank" rel="noopener">Parley</a> })}
        </p>
      </section>
    </WidgetContext.Provider>
  );
}
