/** What every comment component needs from the thread, without passing it down each level. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiComment } from '../../shared/api.js';
import type { GuestIdentity } from './local-data.js';

export interface ThreadActions {
  /** Resolves once the comment is shown; rejects with the API error for the form to show. */
  post(body: string, parentId: string | null, author: GuestIdentity): Promise<void>;
  edit(commentId: string, body: string): Promise<void>;
  remove(commentId: string): Promise<void>;
  /**
   * Clicking the reader's current vote again withdraws it. `name`: a reader without a session
   * votes as a new guest of that name (votes need a session).
   */
  vote(comment: ApiComment, direction: 1 | -1, name?: string): Promise<void>;
}

export interface WidgetContextValue {
  origin: string;
  /** Ticks every half minute so relative times and edit windows stay current. */
  now: number;
  /** New comments and replies are accepted. */
  open: boolean;
  isOwn(comment: ApiComment): boolean;
  /** The reader has a session for this thread's site; without one, a vote asks for a name first. */
  hasSession(): boolean;
  actions: ThreadActions;
}

export const WidgetContext = createContext<WidgetContextValue | null>(null);

export function useWidget(): WidgetContextValue {
  const value = useContext(WidgetContext);
  if (!value) throw new Error('WidgetContext missing');
  return value;
}

/** The API's fixed edit window for authors (the server enforces it; this only hides the buttons). */
export const EDIT_WINDOW_MS = 15 * 60 * 1000;

/** The server says until when (the site's own window); else the default window is assumed. */
export function canChange(context: WidgetContextValue, comment: ApiComment): boolean {
  const until = comment.editableUntil ? Date.parse(comment.editableUntil) : Date.parse(comment.createdAt) + EDIT_WINDOW_MS;
  return comment.status !== 'deleted' && context.isOwn(comment) && context.now < until;
}
