/**
 * Finding one's way in a long thread: comments folded away (remembered per thread), a deep
 * branch opened on its own ("Continue this thread"), and permalinks (`#comment-ID` on the host
 * page) that unfold, load, scroll to and highlight their comment, wherever its page is.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Dispatch } from 'preact/hooks';
import type { RefObject } from 'preact';
import type { ApiComment } from '../../shared/api.js';
import type { WidgetApi } from './api.js';
import { readCollapsed, saveCollapsed } from './local-data.js';
import type { ThreadAction } from './thread-state.js';
import { findComment, MAX_SHOWN_LEVEL, pathTo } from './tree.js';

const PERMALINK = /^#comment-([0-9a-f-]{36})$/i;

interface NavigationOptions {
  api: WidgetApi;
  threadId: string;
  /** The host page's address: permalinks are it with `#comment-ID`. */
  pageUrl: string;
  comments: ApiComment[];
  incoming: ApiComment[];
  dispatch: Dispatch<ThreadAction>;
  /** Any element of the widget: comments are found in its shadow root. */
  within: RefObject<HTMLElement | null>;
}

export interface Navigation {
  collapsed: Record<string, true>;
  toggleCollapsed(id: string): void;
  /** The comment whose branch is shown on its own; null: the whole thread. */
  subtree: string | null;
  openSubtree(id: string | null): void;
  goTo(id: string): void;
  target: string | null;
  permalink(id: string): string;
}

export function useNavigation({ api, threadId, pageUrl, comments, incoming, dispatch, within }: NavigationOptions): Navigation {
  const origin = api.origin;
  const [collapsed, setCollapsed] = useState<Record<string, true>>(
    () => Object.fromEntries(readCollapsed(origin, threadId).map((id) => [id, true as const])),
  );
  const [subtree, setSubtree] = useState<string | null>(null);
  const [target, setTarget] = useState<string | null>(null);
  /** The comment being looked for: it may need unfolding, the new comments shown, or a fetch. */
  const [goal, setGoal] = useState<string | null>(null);
  const [arrived, setArrived] = useState(0);
  const fetched = useRef(new Set<string>());

  function fold(next: Record<string, true>) {
    setCollapsed(next);
    saveCollapsed(origin, threadId, Object.keys(next));
  }

  useEffect(() => {
    if (!goal) return;
    if (findComment(incoming, goal)) return void dispatch({ type: 'showIncoming' });
    const path = pathTo(comments, goal);
    if (!path) {
      if (fetched.current.has(goal)) return setGoal(null);
      fetched.current.add(goal);
      // On a later page (or gone): its tree alone is fetched and shown.
      api.context(goal).then((found) => dispatch({ type: 'linked', comment: found.comment }), () => setGoal(null));
      return;
    }
    if (path.some((comment) => collapsed[comment.id])) {
      const next = { ...collapsed };
      for (const comment of path) delete next[comment.id];
      fold(next);
    }
    const level = path.length - 1;
    setSubtree(level > MAX_SHOWN_LEVEL ? path[level - MAX_SHOWN_LEVEL].id : null);
    setTarget(goal);
    setGoal(null);
    setArrived((n) => n + 1);
  }, [goal, comments, incoming]);

  // Once the comment is drawn: in view and focused, so the keyboard goes on from there.
  useEffect(() => {
    if (!target || !arrived) return;
    const element = (within.current?.getRootNode() as ShadowRoot | undefined)?.getElementById(`comment-${target}`);
    element?.scrollIntoView({ block: 'center' });
    element?.focus({ preventScroll: true });
  }, [arrived]);

  useEffect(() => {
    const follow = () => {
      const id = PERMALINK.exec(location.hash)?.[1];
      if (id) setGoal(id.toLowerCase());
    };
    follow();
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);

  return {
    collapsed,
    toggleCollapsed(id) {
      const next = { ...collapsed };
      if (next[id]) delete next[id];
      else next[id] = true;
      fold(next);
    },
    subtree,
    openSubtree: setSubtree,
    goTo: setGoal,
    target,
    permalink: (id) => `${pageUrl.replace(/#.*$/, '')}#comment-${id}`,
  };
}
