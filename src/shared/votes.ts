/** How one reader's vote changes a comment's counters: the server's rule, and the widget's prediction. */

export type VoteValue = -1 | 0 | 1;

export interface VoteTally {
  score: number;
  upvotes: number;
  downvotes: number;
}

/** The tally after a reader's vote moves from `before` to `after` (0: no vote). */
export function changeVote(tally: VoteTally, before: VoteValue, after: VoteValue): VoteTally {
  const upvotes = tally.upvotes + Number(after === 1) - Number(before === 1);
  const downvotes = tally.downvotes + Number(after === -1) - Number(before === -1);
  return { score: upvotes - downvotes, upvotes, downvotes };
}
