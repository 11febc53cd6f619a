/**
 * One comment and, below it, its replies. The <article> holds only the comment's own
 * content and controls, so "Reply" or "Post comment" inside it always means this
 * comment; replies are a sibling list, nested to any depth.
 */
import { useRef, useState } from 'preact/hooks';
import type { ApiComment } from '../../shared/api.js';
import { refusalText } from './api.js';
import { canChange, isOwn, isRemoved, useWidget } from './context.js';
import { Composer } from './Composer.js';
import { EditForm } from './EditForm.js';
import { FlagForm } from './FlagForm.js';
import { fullTime, hueOf, initialOf, relativeTime } from './format.js';
import { VoteButtons } from './VoteButtons.js';
import { VotePrompt } from './VotePrompt.js';
import { t } from './i18n.js';

/** Past this depth replies stop moving right (narrow screens), but stay nested in the markup. */
const MAX_INDENT_LEVEL = 5;

type Mode = 'view' | 'reply' | 'edit' | 'flag';

/** What a moderator left of a comment they removed: the fact, and their public reason if they gave one. */
function Removed({ note }: { note: string | null }) {
  return (
    <>
      <p class="placeholder">{t('removedByMod')}</p>
      {note && (
        <p class="mod-note" dir="auto">
          {note}
        </p>
      )}
    </>
  );
}

export function CommentItem({ comment, level }: { comment: ApiComment; level: number }) {
  const context = useWidget();
  const [mode, setMode] = useState<Mode>('view');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const replyButton = useRef<HTMLButtonElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const flagButton = useRef<HTMLButtonElement>(null);
  const article = useRef<HTMLElement>(null);
  /** A flag was sent from here just now: say it was taken. */
  const [thanked, setThanked] = useState(false);
  const votes = useRef<HTMLSpanElement>(null);
  /** The vote waiting for the reader's name (they have no session yet). */
  const [asking, setAsking] = useState<1 | -1 | null>(null);
  const removed = isRemoved(comment);
  const isDeleted = !removed && (comment.status === 'deleted' || comment.author === null);
  const name = comment.author?.name ?? t('deleted');
  const changeable = canChange(context, comment);
  const published = comment.status === 'approved';
  // Nobody flags their own comment; a flag taken shows as such until the reader's session changes.
  const flaggable = published && !isOwn(context.reader, comment.id);
  const flagged = context.reader.flagged[comment.id] === true;

  /** Puts focus back on the button that opened an inline form, once the form has gone. */
  function refocus(button: HTMLElement | null | undefined) {
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
      setError(refusalText(failure));
    } finally {
      setBusy(false);
    }
  }

  function remove() {
    if (!confirm(t('confirmDelete'))) return;
    void run(() => context.actions.remove(comment.id));
  }

  return (
    <li class="item">
      <article
        ref={article}
        class={isDeleted || removed ? 'comment deleted' : 'comment'}
        aria-label={removed ? t('removedComment') : isDeleted ? t('deletedComment') : t('commentBy', { name })}
        data-comment-id={comment.id}
        tabIndex={-1}
      >
        {removed ? (
          <Removed note={comment.moderationNote} />
        ) : isDeleted ? (
          <p class="placeholder">{t('deleted')}</p>
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
              {comment.author?.isGuest && <span class="badge">{t('guest')}</span>}
              {comment.pinned && <span class="badge pinned">{t('pinned')}</span>}
              <time dateTime={comment.createdAt} title={fullTime(comment.createdAt)}>
                {relativeTime(comment.createdAt, context.now)}
              </time>
              {comment.editedAt && (
                <span class="edited" title={t('editedAt', { time: fullTime(comment.editedAt) })}>
                  {t('edited')}
                </span>
              )}
              {comment.status === 'pending' && <span class="note">{t('awaiting')}</span>}
            </header>
            {/* One wrapper carries the indent, so an RTL body (dir=auto) does not flip it. */}
            <div class="main">
              {/* An edit under way outlives its window (the server then says so); a closed thread ends it. */}
              {mode === 'edit' && !context.closed ? (
                <EditForm comment={comment} onClose={() => close(editButton.current)} />
              ) : (
                // The server renders markdown and sanitizes it with a strict allowlist: the only HTML we insert.
                <div class="body" dir="auto" dangerouslySetInnerHTML={{ __html: comment.html }} />
              )}
              <div class="actions">
                {published && (
                  <VoteButtons comment={comment} onError={setError} onNeedName={setAsking} container={votes} />
                )}
                {context.open && published && (
                  <button
                    type="button"
                    ref={replyButton}
                    aria-expanded={mode === 'reply'}
                    onClick={() => setMode(mode === 'reply' ? 'view' : 'reply')}
                  >
                    {t('reply')}
                  </button>
                )}
                {changeable && (
                  <>
                    <button type="button" ref={editButton} aria-expanded={mode === 'edit'} onClick={() => setMode(mode === 'edit' ? 'view' : 'edit')}>
                      {t('edit')}
                    </button>
                    <button type="button" class="danger" disabled={busy} onClick={remove}>
                      {t('delete')}
                    </button>
                  </>
                )}
                {flaggable &&
                  (flagged ? (
                    <button type="button" disabled>
                      {t('flagged')}
                    </button>
                  ) : (
                    <button type="button" ref={flagButton} aria-expanded={mode === 'flag'} onClick={() => setMode(mode === 'flag' ? 'view' : 'flag')}>
                      {t('flag')}
                    </button>
                  ))}
              </div>
              {thanked && flagged && (
                <p class="hint" role="status">
                  {t('flagThanks')}
                </p>
              )}
              {error && (
                <p class="error" role="alert">
                  {error}
                </p>
              )}
              {asking && published && !context.closed && (
                <VotePrompt
                  comment={comment}
                  direction={asking}
                  onClose={() => {
                    setAsking(null);
                    refocus(votes.current?.querySelector<HTMLButtonElement>(asking === 1 ? '.up' : '.down'));
                  }}
                />
              )}
              {mode === 'reply' && context.open && <Composer parentId={comment.id} onClose={() => close(replyButton.current)} />}
              {mode === 'flag' && flaggable && !flagged && (
                <FlagForm
                  comment={comment}
                  onClose={() => close(flagButton.current)}
                  onFlagged={() => {
                    setThanked(true);
                    setMode('view');
                    // The button is now "Flagged" and disabled: the comment itself takes focus.
                    refocus(article.current);
                  }}
                />
              )}
            </div>
          </>
        )}
      </article>
      {comment.replies.length > 0 && (
        <ul class={level + 1 >= MAX_INDENT_LEVEL ? 'replies flat' : 'replies'} aria-label={t('repliesTo', { name })}>
          {comment.replies.map((reply) => (
            <CommentItem key={reply.id} comment={reply} level={level + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}
