/** What every comment component needs from the thread, without passing it down each level. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiComment, FlagReason } from '../../shared/api.js';
import type { VoteValue } from '../../shared/votes.js';
import type { GuestIdentity } from './local-data.js';
import type { ReaderState } from './thread-state.js';
import type { AccountView } from './use-account.js';

/** What the composer tells the server's anti-spam rules besides the comment. */
export interface ComposeSignals {
  /** The honeypot field's value: empty when a person wrote the comment. */
  hp: string;
  /** Milliseconds from the reader's first keystroke in this composer to posting. */
  composeMs: number;
}

export interface ThreadActions {
  /**
   * Resolves once the comment is shown; rejects with the API error for the form to show.
   * `author` null: the reader is signed in, and the account's name is the one shown.
   */
  post(body: string, parentId: string | null, author: GuestIdentity | null, signals: ComposeSignals): Promise<void>;
  edit(commentId: string, body: string): Promise<void>;
  remove(commentId: string): Promise<void>;
  /**
   * Clicking the reader's `current` vote again withdraws it. `name`: a reader without a session
   * votes as a new guest of that name (votes need a session).
   */
  vote(commentId: string, current: VoteValue, direction: 1 | -1, name?: string): Promise<void>;
  /** Flags someone else's comment for the moderators; `name` as for a vote. */
  flag(commentId: string, reason: FlagReason, note: string, name?: string): Promise<void>;
}

export interface WidgetContextValue {
  origin: string;
  threadId: string;
  /** Ticks every half minute so relative times and edit windows stay current. */
  now: number;
  /** New comments and replies are accepted (the thread is neither locked nor closed). */
  open: boolean;
  /** Closed: nothing changes any more (no edits, deletions or votes either). */
  closed: boolean;
  /** The reader's votes and comments: the overlay, and their writes since. */
  reader: ReaderState;
  /** Comments that just arrived live where the reader sees them: highlighted for a moment. */
  fresh: Record<string, true>;
  /** Comments the reader folded away in this thread (remembered across visits). */
  collapsed: Record<string, true>;
  toggleCollapsed(id: string): void;
  /** Shows a deep comment's replies on their own ("Continue this thread"). */
  openSubtree(id: string): void;
  /** Takes the reader to a comment: unfolds it, loads it if need be, scrolls to it and highlights it. */
  goTo(id: string): void;
  /** The address of a comment on the host page: the article's, with `#comment-ID`. */
  permalink(id: string): string;
  /** The comment a permalink led to: highlighted. */
  target: string | null;
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

/** A moderator removed it (rejected, or marked as spam): only its place, and their public reason, remain. */
export function isRemoved(comment: ApiComment): boolean {
  return comment.status === 'rejected' || comment.status === 'spam';
}

/** Until when the server said, in a thread not closed (it enforces both; this only hides the buttons). */
export function canChange({ reader, now, closed }: WidgetContextValue, comment: ApiComment): boolean {
  const until = reader.mine[comment.id];
  return !closed && comment.status !== 'deleted' && !isRemoved(comment) && typeof until === 'string' && now < Date.parse(until);
}
