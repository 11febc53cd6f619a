/**
 * The widget's thread state under moderation, without a browser: pins move a comment to the
 * top, a removal leaves the moderator's note, flags and comments under review follow the
 * reader's overlay, and thread status changes follow live events and held pages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiComment, CommentsPage, ReaderOverlay, ThreadResponse } from '../../src/shared/api.js';
import { initialThreadState, threadReducer, type ThreadState } from '../../src/client/widget/thread-state.js';

let clock = 0;
function c(id: string, parentId: string | null = null, extra: Partial<ApiComment> = {}): ApiComment {
  return {
    id, parentId, depth: parentId ? 1 : 0, author: { name: id, id: null, isGuest: true }, html: `<p>${id}</p>`,
    createdAt: new Date(++clock * 1000).toISOString(), editedAt: null, upvotes: 0, downvotes: 0, status: 'approved',
    pinned: false, moderationNote: null, replies: [], ...extra,
  };
}

function thread(comments: ApiComment[]): ThreadResponse {
  return {
    thread: { id: 't', site: 's', key: 'k', url: null, title: null, status: 'open', commentCount: comments.length },
    comments, nextCursor: null, eventCursor: '10',
  };
}

const overlay = (extra: Partial<ReaderOverlay>): ReaderOverlay => ({ votes: {}, mine: {}, pending: [], flagged: [], ...extra });
const ids = (state: ThreadState) => state.comments.map((x) => x.id);
const page = (comments: ApiComment[], eventCursor = '20'): CommentsPage => ({ comments, nextCursor: null, eventCursor });

describe('the widget\'s thread state under moderation', () => {
  it('moves a comment pinned live to the top, and leaves one unpinned where it is without its pin', () => {
    let state = initialThreadState(thread([c('a'), c('b'), c('c')]), null);
    const b = state.comments[1];
    state = threadReducer(state, { type: 'live', cursor: '11', change: { type: 'update', comment: { ...b, pinned: true } } });
    assert.deepEqual(ids(state), ['b', 'a', 'c']);
    assert.equal(state.comments[0].pinned, true);
    state = threadReducer(state, { type: 'live', cursor: '12', change: { type: 'update', comment: { ...b, pinned: false } } });
    assert.deepEqual(ids(state), ['b', 'a', 'c']);
    assert.equal(state.comments[0].pinned, false);
    // Pinned in the oldest-first order too: pins come first in every order.
    state = threadReducer(state, { type: 'sorted', sort: 'oldest', page: page([c('x'), c('y')]) });
    const y = state.comments[1];
    state = threadReducer(state, { type: 'update', comment: { ...y, pinned: true } });
    assert.deepEqual(ids(state), ['y', 'x']);
  });

  it('keeps the replies of a comment a moderator removed, with their note in place of its body', () => {
    const parent = c('p');
    parent.replies = [c('r', 'p')];
    let state = initialThreadState(thread([parent]), null);
    state = { ...state, count: 2 };
    const placeholder: ApiComment = { ...c('p'), author: null, html: '', status: 'rejected', moderationNote: 'Personal attack.' };
    state = threadReducer(state, { type: 'live', cursor: '11', change: { type: 'remove', id: 'p', placeholder, prunedIds: [] } });
    assert.equal(state.comments[0].status, 'rejected');
    assert.equal(state.comments[0].moderationNote, 'Personal attack.');
    assert.deepEqual(state.comments[0].replies.map((x) => x.id), ['r']);
    assert.equal(state.count, 1, 'a removed comment stops counting');
  });

  it('merges the comments the reader flagged, and forgets them with the session', () => {
    let state = initialThreadState(thread([c('a'), c('b')]), overlay({ flagged: ['a'] }));
    assert.deepEqual(state.reader.flagged, { a: true });
    state = threadReducer(state, { type: 'flagged', id: 'b' });
    assert.deepEqual(state.reader.flagged, { a: true, b: true });
    state = threadReducer(state, { type: 'signedOut' });
    assert.deepEqual(state.reader.flagged, {});
  });

  it('shows the reader\'s comments under review as their status says, keeps them across sorts, and replaces one approved', () => {
    const held = c('held', null, { status: 'approved' });
    const waiting = c('waiting', null, { status: 'pending' });
    let state = initialThreadState(thread([c('a')]), overlay({ pending: [held, waiting], mine: { held: null, waiting: null } }));
    assert.deepEqual(ids(state).sort(), ['a', 'held', 'waiting']);
    state = threadReducer(state, { type: 'sorted', sort: 'newest', page: page([c('a')]) });
    assert.deepEqual(ids(state).sort(), ['a', 'held', 'waiting'], 'a new order keeps what no shared page has');
    const count = state.count;
    state = threadReducer(state, { type: 'live', cursor: '21', change: { type: 'upsert', comment: { ...waiting, status: 'approved' } } });
    assert.equal(state.comments.filter((x) => x.id === 'waiting').length, 1, 'no duplicate');
    assert.equal(state.comments.find((x) => x.id === 'waiting')!.status, 'approved');
    assert.equal(state.count, count + 1);
  });

  it('follows live thread status changes, including those held while a page loads', () => {
    let state = initialThreadState(thread([c('a')]), null);
    state = threadReducer(state, { type: 'live', cursor: '11', change: { type: 'status', status: 'locked', cursor: '11' } });
    assert.equal(state.thread.status, 'locked');
    state = threadReducer(state, { type: 'loading', what: 'sort' });
    state = threadReducer(state, { type: 'live', cursor: '30', change: { type: 'status', status: 'closed', cursor: '30' } });
    assert.equal(state.thread.status, 'closed');
    state = threadReducer(state, { type: 'sorted', sort: 'newest', page: page([c('a')], '20') });
    assert.equal(state.thread.status, 'closed', 'a page read before the change does not undo it');
    // A thread read again after a long disconnection (its status as of cursor 40), then a late replay of an older change.
    state = threadReducer(state, { type: 'status', status: 'open', cursor: '40' });
    state = threadReducer(state, { type: 'live', cursor: '35', change: { type: 'status', status: 'locked', cursor: '35' } });
    assert.equal(state.thread.status, 'open', 'an older word on the status changes nothing');
    // The page's own cursor (10) counts as the status's: a replay of what it already shows changes nothing either.
    const fresh = threadReducer(initialThreadState(thread([]), null), { type: 'status', status: 'closed', cursor: '9' });
    assert.equal(fresh.thread.status, 'open');
  });
});
