/**
 * One comment and, below it, its replies. The <article> holds only the comment's own
 * content and controls, so "Reply" or "Post comment" inside it always means this
 * comment; replies are a sibling list, nested to any depth.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ApiComment } from '../../shared/api.js';
import { refusalText } from './api.js';
import { canChange, isOwn, isRemoved, useWidget } from './context.js';
import { Composer } from './Composer.js';
import { EditForm } from './EditForm.js';
import { FlagForm } from './FlagForm.js';
import { duration, fullTime, hueOf, initialOf, relativeTime } from './format.js';
import { ShareButtons } from './ShareButtons.js';
import { MAX_SHOWN_LEVEL } from './tree.js';
import { VoteButtons } from './VoteButtons.js';
import { VotePrompt } from './VotePrompt.js';
import { t, tn } from './i18n.js';

/**
 * Past this depth replies stop moving right (narrow screens), but stay nested in the markup; each
 * then says whom it answers.
 */
const MAX_INDENT_LEVEL = 5;
/** Only a body this long, or of this many blocks, may pass 25 lines: the others are not measured (a long thread stays fast). */
const mayBeTall = (html: string) => html.length > 900 || (html.match(/<(p|li|br|pre|blockquote)\b/g)?.length ?? 0) >= 12;

/** How many replies, at any depth, stand under a comment. */
function countReplies(comment: ApiComment): number {
  return comment.replies.reduce((sum, reply) => sum + 1 + countReplies(reply), 0);
}

/** Whether a body is clipped at 25 lines: measured once laid out, only for bodies that may be that tall. */
function useTall(html: string, body: { current: HTMLElement | null }): boolean {
  const [tall, setTall] = useState(false);
  useLayoutEffect(() => {
    const element = body.current;
    if (element && mayBeTall(html)) setTall(element.scrollHeight > element.clientHeight + 4);
  }, [html]);
  return tall;
}

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

interface CommentItemProps {
  comment: ApiComment;
  level: number;
  /** The name of the comment this one answers, said where the indentation no longer shows it. */
  parentName?: string;
}

export function CommentItem({ comment, level, parentName }: CommentItemProps) {
  const context = useWidget();
  const collapsed = context.collapsed[comment.id] === true;
  const body = useRef<HTMLDivElement>(null);
  const tall = useTall(comment.html, body);
  const [unclipped, setUnclipped] = useState(false);
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
  const editLeft = changeable ? Date.parse(context.reader.mine[comment.id]!) - context.now : 0;
  const hidden = collapsed ? countReplies(comment) : 0;

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
        id={`comment-${comment.id}`}
        class={`comment${isDeleted || removed ? ' deleted' : ''}${context.fresh[comment.id] ? ' fresh' : ''}${context.target === comment.id ? ' target' : ''}`}
        aria-label={removed ? t('removedComment') : isDeleted ? t('deletedComment') : t('commentBy', { name })}
        data-comment-id={comment.id}
        tabIndex={-1}
      >
        {removed || isDeleted ? (
          <div class="gone">
            {removed ? <Removed note={comment.moderationNote} /> : <p class="placeholder">{t('deleted')}</p>}
            {comment.replies.length > 0 && <CollapseToggle id={comment.id} collapsed={collapsed} hidden={hidden} />}
          </div>
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
              {/* The comment's permalink, as on most comment systems: its time. */}
              <a class="permalink" href={context.permalink(comment.id)}>
                {/* The full date is formatted when asked for: 500 of them cost a tenth of a second up front. */}
                <time dateTime={comment.createdAt} onPointerEnter={(event) => { event.currentTarget.title ||= fullTime(comment.createdAt); }}>
                  {relativeTime(comment.createdAt, context.now)}
                </time>
              </a>
              {comment.editedAt && (
                <span class="edited" title={t('editedAt', { time: fullTime(comment.editedAt) })}>
                  {t('edited')}
                </span>
              )}
              {comment.status === 'pending' && <span class="note">{t('awaiting')}</span>}
              {level >= MAX_INDENT_LEVEL && parentName && comment.parentId && (
                <a class="in-reply" href={`#comment-${comment.parentId}`} onClick={(event) => {
                  event.preventDefault();
                  context.goTo(comment.parentId!);
                }}>
                  <span aria-hidden="true">↪ </span>
                  {t('inReplyTo', { name: parentName })}
                </a>
              )}
              <CollapseToggle id={comment.id} collapsed={collapsed} hidden={hidden} />
            </header>
            {/* One wrapper carries the indent, so an RTL body (dir=auto) does not flip it. */}
            <div class="main" hidden={collapsed}>
              {/* An edit under way outlives its window (the server then says so); a closed thread ends it. */}
              {mode === 'edit' && !context.closed ? (
                <EditForm comment={comment} onClose={() => close(editButton.current)} />
              ) : (
                // The server renders markdown and sanitizes it with a strict allowlist: the only HTML we insert.
                <div ref={body} class={mayBeTall(comment.html) && !unclipped ? 'body clip' : 'body'} dir="auto" dangerouslySetInnerHTML={{ __html: comment.html }} />
              )}
              {tall && mode !== 'edit' && (
                <button type="button" class="link more-text" aria-expanded={unclipped} onClick={() => setUnclipped(!unclipped)}>
                  {t(unclipped ? 'showLess' : 'showMore')}
                </button>
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
                      {t('editLeft', { left: duration(editLeft) })}
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
                {published && <ShareButtons url={context.permalink(comment.id)} />}
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
      {comment.replies.length > 0 && !collapsed && (level >= MAX_SHOWN_LEVEL ? (
        <a class="continue" href={`#comment-${comment.id}`} onClick={(event) => {
          event.preventDefault();
          context.openSubtree(comment.id);
        }}>
          {t('continueThread')} <span aria-hidden="true">→</span>
        </a>
      ) : (
        <ul class={level + 1 >= MAX_INDENT_LEVEL ? 'replies flat' : 'replies'} aria-label={t('repliesTo', { name })}>
          {comment.replies.map((reply) => (
            <CommentItem key={reply.id} comment={reply} level={level + 1} parentName={name} />
          ))}
        </ul>
      ))}
    </li>
  );
}

/** Folds a comment and everything under it away (remembered per thread), saying how many replies it hides. */
function CollapseToggle({ id, collapsed, hidden }: { id: string; collapsed: boolean; hidden: number }) {
  const { toggleCollapsed } = useWidget();
  return (
    <>
      {collapsed && hidden > 0 && <span class="hidden-count">{tn('hiddenReplies', hidden)}</span>}
      <button type="button" class="toggle" aria-expanded={!collapsed} aria-label={t(collapsed ? 'expand' : 'collapse')} title={t(collapsed ? 'expand' : 'collapse')} onClick={() => toggleCollapsed(id)}>
        <span aria-hidden="true">{collapsed ? '+' : '−'}</span>
      </button>
    </>
  );
}
