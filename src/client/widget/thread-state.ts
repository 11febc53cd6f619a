/**
 * The thread as the widget shows it, and every way it changes: pages loaded, the
 * reader's own writes, and live events all go through this one reducer.
 */
import type { ApiComment, ApiThread, CommentSort, CommentsPage, ThreadResponse, VoteResponse } from '../../shared/api.js';
import type { VoteTally, VoteValue } from '../../shared/votes.js';
import { changeVote } from '../../shared/votes.js';
import { compareCursors } from './cursor.js';
import { appendPage, countCounted, findComment, isCounted, mapComment, removeComment, upsertComment } from './tree.js';

/** A live change held while a page loads, to be replayed over the page once it lands. */
interface HeldChange {
  cursor: string;
  change: ListChange;
}

/** The reader's vote on its way to the server. */
interface PendingVote {
  before: VoteValue;
  /** The tally the server last gave (the one before the vote, or a live update since). */
  server: VoteTally;
}

export interface ThreadState {
  thread: ApiThread;
  comments: ApiComment[];
  nextCursor: string | null;
  sort: CommentSort;
  /** Shown in the header; follows live events between page loads. */
  count: number;
  /** A sort change or "load more" in flight. */
  loading: 'sort' | 'more' | null;
  /** Live changes received while a page loads: the page may have been read before them. */
  held: HeldChange[];
  /** Live replies whose parent is not loaded (on a later page), as trees: shown when it arrives. */
  orphans: ApiComment[];
  pendingVotes: Record<string, PendingVote>;
}

/** What a live event, or the answer to the reader's own write, does to the comments. */
export type ListChange =
  | { type: 'upsert'; comment: ApiComment }
  | { type: 'update'; comment: ApiComment }
  | { type: 'remove'; id: string; placeholder: ApiComment | null; prunedIds: string[] }
  | { type: 'votes'; id: string; counts: VoteTally };

export type ThreadAction =
  | ListChange
  | { type: 'loading'; what: 'sort' | 'more' }
  | { type: 'loadFailed' }
  | { type: 'sorted'; sort: CommentSort; page: CommentsPage }
  | { type: 'more'; page: CommentsPage }
  | { type: 'live'; cursor: string; change: ListChange }
  | { type: 'voteSent'; id: string; before: VoteValue; after: VoteValue }
  /** `result` null: the vote failed. */
  | { type: 'voteDone'; id: string; result: VoteResponse | null };

export function initialThreadState(response: ThreadResponse): ThreadState {
  return {
    thread: response.thread,
    comments: response.comments ?? [],
    nextCursor: response.nextCursor ?? null,
    sort: 'best',
    count: response.thread.commentCount,
    loading: null,
    held: [],
    orphans: [],
    pendingVotes: {},
  };
}

function setTally(state: ThreadState, id: string, tally: VoteTally & { myVote?: VoteValue }): ThreadState {
  const change = (comment: ApiComment): ApiComment => ({
    ...comment,
    score: tally.score,
    upvotes: tally.upvotes,
    downvotes: tally.downvotes,
    myVote: tally.myVote ?? comment.myVote,
  });
  return { ...state, comments: mapComment(state.comments, id, change), orphans: mapComment(state.orphans, id, change) };
}

/** Puts a new or changed comment in place; a reply to a comment not loaded waits among the orphans. */
function place(state: ThreadState, comment: ApiComment): ThreadState {
  const comments = upsertComment(state.comments, comment, state.sort === 'oldest');
  if (comments !== state.comments) return { ...state, comments };
  const orphans = upsertComment(state.orphans, comment, true);
  return { ...state, orphans: orphans === state.orphans ? [...orphans, comment] : orphans };
}

/** Orphans whose parent a page just brought move under it. */
function adoptOrphans(state: ThreadState): ThreadState {
  let comments = state.comments;
  const orphans = state.orphans.filter((orphan) => {
    if (!findComment(comments, orphan.parentId!)) return true;
    comments = upsertComment(comments, orphan, false);
    return false;
  });
  return orphans.length === state.orphans.length ? state : { ...state, comments, orphans };
}

/**
 * A page has landed: the changes held meanwhile that it does not reflect yet (after its
 * eventCursor) are applied over it. They were counted when they arrived; only the list needs them.
 */
function landed(state: ThreadState, eventCursor: string): ThreadState {
  let next: ThreadState = { ...state, loading: null, held: [] };
  for (const { cursor, change } of state.held) {
    if (compareCursors(cursor, eventCursor) > 0) next = { ...threadReducer(next, change), count: next.count };
  }
  return adoptOrphans(next);
}

export function threadReducer(state: ThreadState, action: ThreadAction): ThreadState {
  switch (action.type) {
    case 'loading':
      return { ...state, loading: action.what };
    case 'loadFailed':
      // The held changes were applied to the list still shown.
      return { ...state, loading: null, held: [] };
    case 'sorted':
      return landed({ ...state, sort: action.sort, comments: action.page.comments, nextCursor: action.page.nextCursor }, action.page.eventCursor);
    case 'more':
      return landed(
        { ...state, comments: appendPage(state.comments, action.page.comments), nextCursor: action.page.nextCursor },
        action.page.eventCursor,
      );
    case 'live': {
      const next = threadReducer(state, action.change);
      return state.loading ? { ...next, held: [...state.held, action] } : next;
    }
    case 'upsert': {
      const before = findComment(state.comments, action.comment.id) ?? findComment(state.orphans, action.comment.id);
      const delta = Number(isCounted(action.comment)) - Number(isCounted(before));
      return { ...place(state, action.comment), count: Math.max(0, state.count + delta) };
    }
    case 'update': {
      // An edit of a comment not loaded here (an older page) has nowhere to go.
      const known = findComment(state.comments, action.comment.id) ?? findComment(state.orphans, action.comment.id);
      return known ? threadReducer(state, { ...action, type: 'upsert' }) : state;
    }
    case 'remove': {
      const remove = (list: ApiComment[]) => removeComment(list, action.id, action.placeholder, action.prunedIds);
      const comments = remove(state.comments);
      const orphans = remove(state.orphans);
      // Whatever stopped being shown stops counting.
      const lost = countCounted(state.comments) + countCounted(state.orphans) - countCounted(comments) - countCounted(orphans);
      return { ...state, comments, orphans, count: Math.max(0, state.count - lost) };
    }
    case 'votes': {
      const pending = state.pendingVotes[action.id];
      const next = setTally(state, action.id, action.counts);
      // The server's word is also what a vote of ours that fails falls back to.
      return pending ? { ...next, pendingVotes: { ...state.pendingVotes, [action.id]: { ...pending, server: action.counts } } } : next;
    }
    case 'voteSent': {
      const comment = findComment(state.comments, action.id);
      if (!comment) return state;
      // Shown at once, as the server will count it; its answer then confirms or corrects it.
      const shown = setTally(state, action.id, { ...changeVote(comment, action.before, action.after), myVote: action.after });
      const server = { score: comment.score, upvotes: comment.upvotes, downvotes: comment.downvotes };
      return { ...shown, pendingVotes: { ...state.pendingVotes, [action.id]: { before: action.before, server } } };
    }
    case 'voteDone': {
      const pending = state.pendingVotes[action.id];
      const pendingVotes = { ...state.pendingVotes };
      delete pendingVotes[action.id];
      // A failed vote leaves the tally the server last gave, not the one from before the click.
      const tally = action.result ?? (pending && { ...pending.server, myVote: pending.before });
      return tally ? { ...setTally(state, action.id, tally), pendingVotes } : { ...state, pendingVotes };
    }
  }
}
