import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changeVote, scoreOf } from '../../src/shared/votes.js';

// Pages carry only the counters: the score is derived from them.
const counts = { upvotes: 5, downvotes: 2 };

describe('changeVote', () => {
  it('adds a new vote', () => {
    assert.deepEqual(changeVote(counts, 0, 1), { score: 4, upvotes: 6, downvotes: 2 });
    assert.deepEqual(changeVote(counts, 0, -1), { score: 2, upvotes: 5, downvotes: 3 });
  });
  it('moves a vote from up to down', () => {
    assert.deepEqual(changeVote(counts, 1, -1), { score: 1, upvotes: 4, downvotes: 3 });
  });
  it('withdraws a vote', () => {
    assert.deepEqual(changeVote(counts, -1, 0), { score: 4, upvotes: 5, downvotes: 1 });
  });
  it('changes nothing when the vote stays', () => {
    assert.deepEqual(changeVote(counts, 1, 1), { score: 3, ...counts });
  });
  it('ignores a stale score passed along with the counters', () => {
    assert.deepEqual(changeVote({ ...counts, score: 99 } as typeof counts, 0, 1), { score: 4, upvotes: 6, downvotes: 2 });
  });
});

describe('scoreOf', () => {
  it('is upvotes minus downvotes, negative too', () => {
    assert.equal(scoreOf(counts), 3);
    assert.equal(scoreOf({ upvotes: 1, downvotes: 4 }), -3);
  });
});
