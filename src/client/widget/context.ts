/** What every comment component needs from the thread, without passing it down each level. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiComment } from '../../shared/api.js';
import type { VoteValue } from '../../shared/votes.js';
import type { GuestIdentity } from './local-data.js';
import type { ReaderState } from './thread-state.js';
import type { AccountView } from './use-account.js';

export interface ThreadActions {
  /**
   * Resolves once the comment is shown; rejects with the API error for the form to show.
   * `author` null: the reader is signed in, and the account's name is the one shown.
   */
  post(body: string, parentId: string | null, author: GuestIdentity | null): Promise<void>;
  edit(commentId: string, body: string): Promise<void>;
  remove(commentId: string): Promise<void>;
  /**
   * Clicking the reader's `current` vote again withdraws it. `name`: a reader without a session
   * votes as a new guest of that name (votes need a session).
   */
  vote(commentId: string, current: VoteValue, direction: 1 | -1, name?: string): Promise<void>;
}

export interface WidgetContextValue {
  origin: string;
  /** Ticks every half minute so relative times and edit windows stay current. */
  now: number;
  /** New comments and replies are accepted. */
  open: boolean;
  /** The reader's votes and comments: the overlay, and their writes since. */
  reader: ReaderState;
  /** Who the reader is (stranger, guest, account), and signing in and out. */
  account: AccountView;
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

/** Nobody votes on their own comment; it keeps its edit buttons while the server allows. */
export function isOwn(reader: ReaderState, commentId: string): boolean {
  return reader.mine[commentId] !== undefined;
}

/** Until when the server said (it enforces it; this only hides the buttons). */
export function canChange({ reader, now }: WidgetContextValue, comment: ApiComment): boolean {
  const until = reader.mine[comment.id];
  return comment.status !== 'deleted' && typeof until === 'string' && now < Date.parse(until);
}
