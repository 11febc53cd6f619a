import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changeVote } from '../../src/shared/votes.js';

const tally = { score: 3, upvotes: 5, downvotes: 2 };

describe('changeVote', () => {
  it('adds a new vote', () => {
    assert.deepEqual(changeVote(tally, 0, 1), { score: 4, upvotes: 6, downvotes: 2 });
    assert.deepEqual(changeVote(tally, 0, -1), { score: 2, upvotes: 5, downvotes: 3 });
  });
  it('moves a vote from up to down', () => {
    assert.deepEqual(changeVote(tally, 1, -1), { score: 1, upvotes: 4, downvotes: 3 });
  });
  it('withdraws a vote', () => {
    assert.deepEqual(changeVote(tally, -1, 0), { score: 4, upvotes: 5, downvotes: 1 });
  });
  it('changes nothing when the vote stays', () => {
    assert.deepEqual(changeVote(tally, 1, 1), tally);
  });
});
