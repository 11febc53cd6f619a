/** Upvote / score / downvote; the reader's own vote shows as a pressed button. */
import { useState } from 'preact/hooks';
import type { ApiComment } from '../../shared/api.js';
import { errorText } from './api.js';
import { useWidget } from './context.js';

interface VoteButtonsProps {
  comment: ApiComment;
  onError: (message: string | null) => void;
}

export function VoteButtons({ comment, onError }: VoteButtonsProps) {
  const { actions } = useWidget();
  // Not `disabled` while a vote is sent: that would throw keyboard focus off the button.
  const [voting, setVoting] = useState(false);

  async function vote(direction: 1 | -1) {
    if (voting) return;
    setVoting(true);
    onError(null);
    try {
      await actions.vote(comment, direction);
    } catch (failure) {
      onError(errorText(failure));
    } finally {
      setVoting(false);
    }
  }

  return (
    <span class="votes" aria-busy={voting}>
      <button
        type="button"
        class="vote up"
        aria-label="Upvote"
        title="Upvote"
        aria-pressed={comment.myVote === 1}
        onClick={() => vote(1)}
      >
        <svg viewBox="0 0 16 16" aria-hidden="true">
          <path d="M8 3l6 8H2z" />
        </svg>
      </button>
      <span class="score" title={`${comment.upvotes} up, ${comment.downvotes} down`}>
        {comment.score}
      </span>
      <button
        type="button"
        class="vote down"
        aria-label="Downvote"
        title="Downvote"
        aria-pressed={comment.myVote === -1}
        onClick={() => vote(-1)}
      >
        <svg viewBox="0 0 16 16" aria-hidden="true">
          <path d="M8 13L2 5h12z" />
        </svg>
      </button>
    </span>
  );
}
