/**
 * The thread as the widget shows it, and every way it changes: pages loaded, what the
 * reader's own overlay says, the reader's writes, and live events all go through this
 * one reducer.
 */
import type { ApiComment, ApiThread, CommentSort, CommentsPage, ReaderOverlay, ThreadResponse, ThreadStatus, VoteResponse } from '../../shared/api.js';
import type { VoteCounts, VoteValue } from '../../shared/votes.js';
import { changeVote } from '../../shared/votes.js';
import { compareCursors } from './cursor.js';
import { appendPage, collectComments, countCounted, findComment, isCounted, mapComment, removeComment, upsertComment } from './tree.js';

/** A live change held while a page loads, to be replayed over the page once it lands. */
interface HeldChange {
  cursor: string;
  change: ListChange;
}

/** The reader's vote on its way to the server. */
interface PendingVote {
  before: VoteValue;
  /** The counts the server last gave (the ones before the vote, or a live update since). */
  server: VoteCounts;
}

/**
 * What is the reader's own, by comment id. Pages are the same for every reader, so this is
 * kept beside them rather than in them: it outlives every page load and sort change.
 */
export interface ReaderState {
  votes: Record<string, VoteValue>;
  /** The reader's comments: until when each may still be edited or deleted (null: no longer). */
  mine: Record<string, string | null>;
  /** Comments the reader has flagged. */
  flagged: Record<string, true>;
  /**
   * The reader's comments that no shared page shows (awaiting moderation, or held for nobody
   * else to see while presented to them as published): kept across sort changes.
   */
  unlisted: Record<string, true>;
}

const NOBODY: ReaderState = { votes: {}, mine: {}, flagged: {}, unlisted: {} };

export interface ThreadState {
  thread: ApiThread;
  /** The live cursor the thread's status was read at: an older word on it (a held or replayed event) changes nothing. */
  statusCursor: string | null;
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
  /**
   * New top-level comments from others, newest first, with any replies they got meanwhile: held
   * behind the "N new comments" button, so that nothing the reader is looking at moves.
   */
  incoming: ApiComment[];
  /** Comments that arrived live where the reader can see them: highlighted briefly. */
  fresh: Record<string, true>;
  pendingVotes: Record<string, PendingVote>;
  reader: ReaderState;
  /** Connections following the thread now, as the server last said (0: not known yet). */
  reading: number;
}

/** What a live event, or the answer to the reader's own write, does to the comments. */
export type ListChange =
  | { type: 'upsert'; comment: ApiComment }
  | { type: 'update'; comment: ApiComment }
  | { type: 'remove'; id: string; placeholder: ApiComment | null; prunedIds: string[] }
  | { type: 'votes'; id: string; counts: VoteCounts }
  /** A moderator locked, closed or reopened the thread (as of `cursor`). */
  | { type: 'status'; status: ThreadStatus; cursor: string };

export type ThreadAction =
  | ListChange
  | { type: 'loading'; what: 'sort' | 'more' }
  | { type: 'loadFailed' }
  | { type: 'sorted'; sort: CommentSort; page: CommentsPage }
  | { type: 'more'; page: CommentsPage }
  | { type: 'live'; cursor: string; change: ListChange }
  | { type: 'overlay'; overlay: ReaderOverlay }
  /** The answer to the reader's post or edit: the comment, and until when it stays theirs to change. */
  | { type: 'own'; comment: ApiComment; editableUntil: string }
  /** The reader's session was dropped (the server no longer knew it): nothing here is theirs now. */
  | { type: 'signedOut' }
  /** The server took the reader's flag on this comment. */
  | { type: 'flagged'; id: string }
  /** The reader asked for the new comments held back: they go where the order puts them. */
  | { type: 'showIncoming' }
  | { type: 'presence'; count: number }
  /** A permalink's comment (its whole top-level tree), fetched because no loaded page has it. */
  | { type: 'linked'; comment: ApiComment }
  | { type: 'voteSent'; id: string; before: VoteValue; after: VoteValue }
  /** `result` null: the vote failed. */
  | { type: 'voteDone'; id: string; result: VoteResponse | null };

export function initialThreadState(response: ThreadResponse, overlay: ReaderOverlay | null): ThreadState {
  const state: ThreadState = {
    thread: response.thread,
    statusCursor: response.eventCursor ?? null,
    comments: response.comments ?? [],
    nextCursor: response.nextCursor ?? null,
    sort: 'best',
    count: response.thread.commentCount,
    loading: null,
    held: [],
    orphans: [],
    incoming: [],
    fresh: {},
    pendingVotes: {},
    reader: NOBODY,
    reading: 0,
  };
  return overlay ? threadReducer(state, { type: 'overlay', overlay }) : state;
}

function setCounts(state: ThreadState, id: string, counts: VoteCounts): ThreadState {
  const change = (comment: ApiComment): ApiComment => ({ ...comment, upvotes: counts.upvotes, downvotes: counts.downvotes });
  return {
    ...state, comments: mapComment(state.comments, id, change), orphans: mapComment(state.orphans, id, change), incoming: mapComment(state.incoming, id, change),
  };
}

/** Adds to what is the reader's own, record by record. */
function setReader(state: ThreadState, patch: Partial<ReaderState>): ThreadState {
  const reader = { ...state.reader };
  for (const key of Object.keys(patch) as Array<keyof ReaderState>) reader[key] = { ...reader[key], ...patch[key] } as never;
  return { ...state, reader };
}

const idSet = (ids: string[]): Record<string, true> => Object.fromEntries(ids.map((id) => [id, true as const]));

/**
 * The reader's overlay over the shared page: their comments no shared page shows go where a
 * live reply of theirs would (`flagged` is absent from servers older than flags).
 */
function applyOverlay(state: ThreadState, overlay: ReaderOverlay): ThreadState {
  const own = setReader(state, {
    votes: overlay.votes,
    mine: overlay.mine,
    flagged: idSet(overlay.flagged ?? []),
    unlisted: idSet(overlay.pending.map((comment) => comment.id)),
  });
  return overlay.pending.reduce(place, own);
}

const isOwn = (reader: ReaderState, id: string): boolean => reader.mine[id] !== undefined;

/** Whether only this reader is shown the comment (no shared page has it). */
function isUnlisted(reader: ReaderState, comment: ApiComment): boolean {
  return comment.status === 'pending' || reader.unlisted[comment.id] === true;
}

/**
 * A new order replaces the list. The reader's comments that no shared page shows stay, placed
 * anew, unless the page has them (published meanwhile).
 */
function sorted(state: ThreadState, sort: CommentSort, page: CommentsPage): ThreadState {
  const kept = collectComments(state.comments, (comment) => isUnlisted(state.reader, comment))
    .filter((comment) => !findComment(page.comments, comment.id));
  const incoming = state.incoming.filter((comment) => !findComment(page.comments, comment.id));
  return kept.reduce(place, { ...state, sort, comments: page.comments, nextCursor: page.nextCursor, incoming });
}

/**
 * A top-level comment a moderator has just pinned goes to the top, as the server's first page
 * has it; one unpinned stays where it is (its place in the order is the next page load's).
 */
function raisePinned(list: ApiComment[], comment: ApiComment, before: ApiComment | null): ApiComment[] {
  if (comment.parentId !== null || !comment.pinned || before?.pinned || list[0]?.id === comment.id) return list;
  const at = list.findIndex((item) => item.id === comment.id);
  return at < 0 ? list : [list[at], ...list.slice(0, at), ...list.slice(at + 1)];
}

/**
 * Puts a new or changed comment in place; a reply to a comment not loaded waits among the orphans,
 * and a comment held back (or a reply to one) stays held with it.
 */
function place(state: ThreadState, comment: ApiComment): ThreadState {
  const before = findComment(state.comments, comment.id);
  if (!before && (findComment(state.incoming, comment.id) || (comment.parentId && findComment(state.incoming, comment.parentId)))) {
    return { ...state, incoming: upsertComment(state.incoming, comment, false) };
  }
  const comments = upsertComment(state.comments, comment, state.sort === 'oldest');
  if (comments !== state.comments) return { ...state, comments: raisePinned(comments, comment, before) };
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

/**
 * A change from the live feed. Someone else's new top-level comment is held back (it would push
 * down what the reader is reading); a new reply where its parent is shown slots in, marked fresh.
 */
function arrived(state: ThreadState, change: ListChange): ThreadState {
  if (change.type !== 'upsert') return threadReducer(state, change);
  const { comment } = change;
  const known = findComment(state.comments, comment.id) ?? findComment(state.incoming, comment.id);
  if (known || isOwn(state.reader, comment.id)) return threadReducer(state, change);
  if (comment.parentId === null) {
    const delta = Number(isCounted(comment));
    return { ...state, incoming: upsertComment(state.incoming, comment, false), count: state.count + delta };
  }
  const next = threadReducer(state, change);
  return findComment(next.comments, comment.id) ? { ...next, fresh: { ...next.fresh, [comment.id]: true } } : next;
}

export function threadReducer(state: ThreadState, action: ThreadAction): ThreadState {
  switch (action.type) {
    case 'loading':
      return { ...state, loading: action.what };
    case 'loadFailed':
      // The held changes were applied to the list still shown.
      return { ...state, loading: null, held: [] };
    case 'sorted':
      return landed(sorted(state, action.sort, action.page), action.page.eventCursor);
    case 'more':
      return landed(
        { ...state, comments: appendPage(state.comments, action.page.comments), nextCursor: action.page.nextCursor },
        action.page.eventCursor,
      );
    case 'live': {
      const next = arrived(state, action.change);
      return state.loading ? { ...next, held: [...state.held, action] } : next;
    }
    case 'presence':
      return { ...state, reading: action.count };
    case 'showIncoming': {
      const shown = [...state.incoming];
      const comments = state.sort === 'oldest' ? [...state.comments, ...shown.reverse()] : [...shown, ...state.comments];
      return adoptOrphans({ ...state, comments, incoming: [], fresh: idSet(shown.map((comment) => comment.id)) });
    }
    case 'linked':
      return findComment(state.comments, action.comment.id) ? state : adoptOrphans({ ...state, comments: [...state.comments, action.comment] });
    case 'overlay':
      return applyOverlay(state, action.overlay);
    case 'own': {
      // The live event may have come first and been held as someone else's: it is the reader's own.
      const unheld = { ...state, incoming: mapComment(state.incoming, action.comment.id, () => null) };
      const moved = unheld.incoming === state.incoming ? state : { ...unheld, count: state.count - 1 };
      return setReader(threadReducer(moved, { type: 'upsert', comment: action.comment }), { mine: { [action.comment.id]: action.editableUntil } });
    }
    case 'signedOut':
      return { ...state, reader: NOBODY };
    case 'flagged':
      return setReader(state, { flagged: { [action.id]: true } });
    case 'status':
      if (state.statusCursor !== null && compareCursors(action.cursor, state.statusCursor) <= 0) return state;
      return { ...state, statusCursor: action.cursor, thread: { ...state.thread, status: action.status } };
    case 'upsert': {
      const before = findComment(state.comments, action.comment.id) ?? findComment(state.orphans, action.comment.id)
        ?? findComment(state.incoming, action.comment.id);
      const delta = Number(isCounted(action.comment)) - Number(isCounted(before));
      return { ...place(state, action.comment), count: Math.max(0, state.count + delta) };
    }
    case 'update': {
      // An edit of a comment not loaded here (an older page) has nowhere to go.
      const known = findComment(state.comments, action.comment.id) ?? findComment(state.orphans, action.comment.id)
        ?? findComment(state.incoming, action.comment.id);
      return known ? threadReducer(state, { ...action, type: 'upsert' }) : state;
    }
    case 'remove': {
      const remove = (list: ApiComment[]) => removeComment(list, action.id, action.placeholder, action.prunedIds);
      const comments = remove(state.comments);
      const orphans = remove(state.orphans);
      const incoming = remove(state.incoming);
      // Whatever stopped being shown stops counting.
      const counted = (...lists: ApiComment[][]) => lists.reduce((sum, list) => sum + countCounted(list), 0);
      const lost = counted(state.comments, state.orphans, state.incoming) - counted(comments, orphans, incoming);
      return { ...state, comments, orphans, incoming, count: Math.max(0, state.count - lost) };
    }
    case 'votes': {
      const pending = state.pendingVotes[action.id];
      const next = setCounts(state, action.id, action.counts);
      // The server's word is also what a vote of ours that fails falls back to.
      return pending ? { ...next, pendingVotes: { ...state.pendingVotes, [action.id]: { ...pending, server: action.counts } } } : next;
    }
    case 'voteSent': {
      const comment = findComment(state.comments, action.id);
      if (!comment) return state;
      // Shown at once, as the server will count it; its answer then confirms or corrects it.
      const shown = setReader(setCounts(state, action.id, changeVote(comment, action.before, action.after)), { votes: { [action.id]: action.after } });
      return { ...shown, pendingVotes: { ...state.pendingVotes, [action.id]: { before: action.before, server: comment } } };
    }
    case 'voteDone': {
      const pending = state.pendingVotes[action.id];
      const pendingVotes = { ...state.pendingVotes };
      delete pendingVotes[action.id];
      // A failed vote leaves the counts the server last gave, not the ones from before the click.
      const settled = action.result ? { counts: action.result, vote: action.result.myVote } : pending && { counts: pending.server, vote: pending.before };
      if (!settled) return { ...state, pendingVotes };
      return setReader(setCounts({ ...state, pendingVotes }, action.id, settled.counts), { votes: { [action.id]: settled.vote } });
    }
  }
}
