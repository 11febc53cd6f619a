/**
 * Upvote / score / downvote; the reader's own vote shows as a pressed button. Nobody votes
 * on their own comment, nor in a closed thread, so there it is the score alone.
 */
import { useState } from 'preact/hooks';
import type { RefObject } from 'preact';
import type { ApiComment } from '../../shared/api.js';
import { scoreOf } from '../../shared/votes.js';
import { refusalText } from './api.js';
import { isOwn, useWidget } from './context.js';
import { t } from './i18n.js';

interface VoteButtonsProps {
  comment: ApiComment;
  onError: (message: string | null) => void;
  /** A vote needs a session: without one the reader is asked for a name first. */
  onNeedName: (direction: 1 | -1) => void;
  /** Holds the buttons, so focus can come back to them after the name prompt. */
  container: RefObject<HTMLSpanElement | null>;
}

export function VoteButtons({ comment, onError, onNeedName, container }: VoteButtonsProps) {
  const { actions, reader, hasSession, closed } = useWidget();
  const myVote = reader.votes[comment.id] ?? 0;
  // Not `disabled` while a vote is sent: that would throw keyboard focus off the button.
  const [voting, setVoting] = useState(false);
  const score = (
    <span class="score" title={t('votes', { up: comment.upvotes, down: comment.downvotes })}>
      {scoreOf(comment)}
    </span>
  );
  if (closed || isOwn(reader, comment.id)) return <span class="votes">{score}</span>;

  async function vote(direction: 1 | -1) {
    if (voting) return;
    onError(null);
    if (!hasSession()) return onNeedName(direction);
    setVoting(true);
    try {
      await actions.vote(comment.id, myVote, direction);
    } catch (failure) {
      // The session was gone (dropped as unknown on the way): ask for a name as for a new reader.
      if ((failure as { code?: string }).code === 'auth_required') onNeedName(direction);
      else onError(refusalText(failure));
    } finally {
      setVoting(false);
    }
  }

  return (
    <span class="votes" aria-busy={voting} ref={container}>
      <button
        type="button"
        class="vote up"
        aria-label={t('upvote')}
        title={t('upvote')}
        aria-pressed={myVote === 1}
        onClick={() => vote(1)}
      >
      </button>
      {score}
      <button
        type="button"
        class="vote down"
        aria-label={t('downvote')}
        title={t('downvote')}
        aria-pressed={myVote === -1}
        onClick={() => vote(-1)}
      >
      </button>
    </span>
  );
}
