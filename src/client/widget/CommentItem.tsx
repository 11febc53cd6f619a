/**
 * One comment and, below it, its replies. The <article> holds only the comment's own
 * content and controls, so "Reply" or "Post comment" inside it always means this
 * comment; replies are a sibling list, nested to any depth.
 */
import { useRef, useState } from 'preact/hooks';
import type { ApiComment } from '../../shared/api.js';
import { errorText } from './api.js';
import { canChange, useWidget } from './context.js';
import { Composer } from './Composer.js';
import { EditForm } from './EditForm.js';
import { fullTime, hueOf, initialOf, relativeTime } from './format.js';
import { VoteButtons } from './VoteButtons.js';
import { VotePrompt } from './VotePrompt.js';

/** Past this depth replies stop moving right (narrow screens), but stay nested in the markup. */
const MAX_INDENT_LEVEL = 5;

type Mode = 'view' | 'reply' | 'edit';

export function CommentItem({ comment, level }: { comment: ApiComment; level: number }) {
  const context = useWidget();
  const [mode, setMode] = useState<Mode>('view');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const replyButton = useRef<HTMLButtonElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const votes = useRef<HTMLSpanElement>(null);
  /** The vote waiting for the reader's name (they have no session yet). */
  const [asking, setAsking] = useState<1 | -1 | null>(null);
  const isDeleted = comment.status === 'deleted' || comment.author === null;
  const name = comment.author?.name ?? '[deleted]';
  const changeable = canChange(context, comment);

  /** Puts focus back on the button that opened an inline form, once the form has gone. */
  function refocus(button: HTMLButtonElement | null | undefined) {
    requestAnimationFrame(() => button?.focus());
  }

  function close(button: HTMLButtonElement | null) {
    setMode('view');
    refocus(button);
  }

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  function remove() {
    if (!confirm('Delete this comment?')) return;
    void run(() => context.actions.remove(comment.id));
  }

  return (
    <li class="item">
      <article
        class={isDeleted ? 'comment deleted' : 'comment'}
        aria-label={isDeleted ? 'Deleted comment' : `Comment by ${name}`}
        data-comment-id={comment.id}
        tabIndex={-1}
      >
        {isDeleted ? (
          <p class="placeholder">[deleted]</p>
        ) : (
          <>
            <header class="meta">
              <span class="avatar" aria-hidden="true" style={{ '--hue': hueOf(name) }}>
                {initialOf(name)}
              </span>
              <strong class="author" dir="auto">
                {name}
              </strong>
              {/* Anyone may comment as a guest under any free name: never mistaken for a member. */}
              {comment.author?.isGuest && <span class="badge">Guest</span>}
              <time dateTime={comment.createdAt} title={fullTime(comment.createdAt)}>
                {relativeTime(comment.createdAt, context.now)}
              </time>
              {comment.editedAt && (
                <span class="edited" title={`Edited ${fullTime(comment.editedAt)}`}>
                  (edited)
                </span>
              )}
              {comment.status === 'pending' && <span class="note">Awaiting moderation</span>}
              {(comment.status === 'rejected' || comment.status === 'spam') && <span class="note">Not published</span>}
            </header>
            {/* One wrapper carries the indent, so an RTL body (dir=auto) does not flip it. */}
            <div class="main">
              {mode === 'edit' ? (
                <EditForm comment={comment} onClose={() => close(editButton.current)} />
              ) : (
                // The server renders markdown and sanitizes it with a strict allowlist: the only HTML we insert.
                <div class="body" dir="auto" dangerouslySetInnerHTML={{ __html: comment.html }} />
              )}
              <div class="actions">
                {comment.status === 'approved' && (
                  <VoteButtons comment={comment} onError={setError} onNeedName={setAsking} container={votes} />
                )}
                {context.open && comment.status === 'approved' && (
                  <button
                    type="button"
                    ref={replyButton}
                    aria-expanded={mode === 'reply'}
                    onClick={() => setMode(mode === 'reply' ? 'view' : 'reply')}
                  >
                    Reply
                  </button>
                )}
                {changeable && (
                  <>
                    <button type="button" ref={editButton} aria-expanded={mode === 'edit'} onClick={() => setMode(mode === 'edit' ? 'view' : 'edit')}>
                      Edit
                    </button>
                    <button type="button" class="danger" disabled={busy} onClick={remove}>
                      Delete
                    </button>
                  </>
                )}
              </div>
              {error && (
                <p class="error" role="alert">
                  {error}
                </p>
              )}
              {asking && comment.status === 'approved' && (
                <VotePrompt
                  comment={comment}
                  direction={asking}
                  onClose={() => {
                    setAsking(null);
                    refocus(votes.current?.querySelector<HTMLButtonElement>(asking === 1 ? '.up' : '.down'));
                  }}
                />
              )}
              {mode === 'reply' && <Composer parentId={comment.id} onClose={() => close(replyButton.current)} />}
            </div>
          </>
        )}
      </article>
      {comment.replies.length > 0 && (
        <ul class={level + 1 >= MAX_INDENT_LEVEL ? 'replies flat' : 'replies'} aria-label={`Replies to ${name}`}>
          {comment.replies.map((reply) => (
            <CommentItem key={reply.id} comment={reply} level={level + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}
