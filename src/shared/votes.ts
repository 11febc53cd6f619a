/** How one reader's vote changes a comment's counters: the server's rule, and the widget's prediction. */

export type VoteValue = -1 | 0 | 1;

/** What pages and live events carry: the score is derived from them, never sent. */
export interface VoteCounts {
  upvotes: number;
  downvotes: number;
}

/** The counters with the score the server stores (for ranking) and readers are shown. */
export interface VoteTally extends VoteCounts {
  score: number;
}

export function scoreOf(counts: VoteCounts): number {
  return counts.upvotes - counts.downvotes;
}

/** The tally after a reader's vote moves from `before` to `after` (0: no vote). */
export function changeVote(counts: VoteCounts, before: VoteValue, after: VoteValue): VoteTally {
  const upvotes = counts.upvotes + Number(after === 1) - Number(before === 1);
  const downvotes = counts.downvotes + Number(after === -1) - Number(before === -1);
  return { score: upvotes - downvotes, upvotes, downvotes };
}
