/**
 * The thread as the widget shows it, and every way it changes: pages loaded, the
 * reader's own writes, and live events all go through this one reducer.
 */
import type { ApiComment, ApiThread, CommentSort, CommentsPage, ThreadResponse } from '../../shared/api.js';
import { appendPage, countCounted, findComment, isCounted, mapComment, removeComment, upsertComment } from './tree.js';

export interface ThreadState {
  thread: ApiThread;
  comments: ApiComment[];
  nextCursor: string | null;
  sort: CommentSort;
  /** Shown in the header; follows live events between page loads. */
  count: number;
  /** A sort change or "load more" in flight. */
  loading: 'sort' | 'more' | null;
}

export interface VoteCounts {
  score: number;
  upvotes: number;
  downvotes: number;
  myVote?: -1 | 0 | 1;
}

export type ThreadAction =
  | { type: 'loading'; what: 'sort' | 'more' }
  | { type: 'loadFailed' }
  | { type: 'sorted'; sort: CommentSort; page: CommentsPage }
  | { type: 'more'; page: CommentsPage }
  | { type: 'upsert'; comment: ApiComment }
  | { type: 'update'; comment: ApiComment }
  | { type: 'remove'; id: string; placeholder: ApiComment | null }
  | { type: 'votes'; id: string; counts: VoteCounts };

export function initialThreadState(response: ThreadResponse): ThreadState {
  return {
    thread: response.thread,
    comments: response.comments ?? [],
    nextCursor: response.nextCursor ?? null,
    sort: 'best',
    count: response.thread.commentCount,
    loading: null,
  };
}

export function threadReducer(state: ThreadState, action: ThreadAction): ThreadState {
  switch (action.type) {
    case 'loading':
      return { ...state, loading: action.what };
    case 'loadFailed':
      return { ...state, loading: null };
    case 'sorted':
      return {
        ...state,
        sort: action.sort,
        comments: action.page.comments,
        nextCursor: action.page.nextCursor,
        loading: null,
      };
    case 'more':
      return {
        ...state,
        comments: appendPage(state.comments, action.page.comments),
        nextCursor: action.page.nextCursor,
        loading: null,
      };
    case 'upsert': {
      const before = findComment(state.comments, action.comment.id);
      const delta = Number(isCounted(action.comment)) - Number(isCounted(before));
      return {
        ...state,
        comments: upsertComment(state.comments, action.comment, state.sort === 'oldest'),
        count: Math.max(0, state.count + delta),
      };
    }
    case 'update': {
      // An edit of a comment not loaded here (an older page) has nowhere to go.
      return findComment(state.comments, action.comment.id) ? threadReducer(state, { ...action, type: 'upsert' }) : state;
    }
    case 'remove': {
      const comments = removeComment(state.comments, action.id, action.placeholder);
      // Whatever stopped being shown (the comment, or with it its replies) stops counting.
      const lost = countCounted(findComment(state.comments, action.id)) - countCounted(findComment(comments, action.id));
      return { ...state, comments, count: Math.max(0, state.count - lost) };
    }
    case 'votes':
      return {
        ...state,
        comments: mapComment(state.comments, action.id, (comment) => ({
          ...comment,
          score: action.counts.score,
          upvotes: action.counts.upvotes,
          downvotes: action.counts.downvotes,
          myVote: action.counts.myVote ?? comment.myVote,
        })),
      };
  }
}
