/**
 * The comment form: at the top of the thread, and inline under a comment as a reply.
 * Guests give a name (and optionally an email); both are remembered in this browser.
 * A signed-in reader gives none: the account's name is the one shown. Each form also tells
 * the server's anti-spam rules how long its comment took to write and what its honeypot holds.
 */
import { useId, useRef, useState } from 'preact/hooks';
import type { RefObject, TargetedEvent } from 'preact';
import { MAX_NAME_LENGTH } from '../../shared/api.js';
import { isMember } from './account.js';
import { errorText, refusalText } from './api.js';
import { useWidget } from './context.js';
import { readDraft, readGuest, saveDraft } from './local-data.js';
import { CommentBox, MarkdownHint, useAutoFocus } from './form-parts.js';
import { t, tParts } from './i18n.js';

/** The longest writing time the server takes (a day): a form left open longer says a day. */
const MAX_COMPOSE_MS = 86_400_000;

/**
 * A field people never see or reach, named as form-filling robots like: whatever it holds is
 * sent as `hp`, and the server treats a filled one as spam. Off-screen and clipped (no page
 * gets a scrollbar from it), out of the tab order, and hidden from assistive technology.
 */
function Honeypot({ field }: { field: RefObject<HTMLInputElement | null> }) {
  return (
    <div class="hp" aria-hidden="true">
      <label>
        Website <input ref={field} type="text" name="website" tabIndex={-1} autoComplete="off" />
      </label>
    </div>
  );
}

/** A message for the reader; `field` when it is about one input, which is then marked invalid. */
interface FormError {
  message: string;
  field?: 'body' | 'name';
}

interface ComposerProps {
  /** null for a new top-level comment. */
  parentId: string | null;
  /** For a reply form: closes it (after posting, on Cancel, or on Escape). */
  onClose?: () => void;
}

export function Composer({ parentId, onClose }: ComposerProps) {
  const { origin, actions, account, threadId } = useWidget();
  const member = isMember(account.user);
  const [remembered] = useState(() => readGuest(origin));
  // What the reader was writing here before a reload (or a refusal) is still there.
  const [body, setBodyState] = useState(() => readDraft(origin, threadId, parentId));
  const setBody = (value: string) => {
    setBodyState(value);
    saveDraft(origin, threadId, parentId, value);
  };
  const [name, setName] = useState(remembered?.name ?? '');
  const [email, setEmail] = useState(remembered?.email ?? '');
  // A reply form stays short for a reader whose name is known; the top form always shows it.
  const [showIdentity, setShowIdentity] = useState(parentId === null || !remembered?.name);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  const honeypot = useRef<HTMLInputElement>(null);
  /** When the reader first typed in this form (performance.now()): the page may have been open for hours. */
  const startedAt = useRef<number | null>(null);
  const hintId = useId();
  const errorId = useId();
  useAutoFocus(textarea, parentId !== null);

  async function submit(event: TargetedEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    if (!body.trim()) {
      setError({ message: t('writeFirst'), field: 'body' });
      textarea.current?.focus();
      return;
    }
    if (!member && !name.trim()) {
      // Only spaces pass the input's `required`; the field is shown whenever the name is empty.
      nameProblem(t('enterName'));
      return;
    }
    setSending(true);
    setError(null);
    const composeMs = startedAt.current === null ? 0 : Math.min(MAX_COMPOSE_MS, Math.round(performance.now() - startedAt.current));
    try {
      await actions.post(body, parentId, member ? null : { name: name.trim(), email: email.trim() }, {
        hp: honeypot.current?.value ?? '',
        composeMs,
      });
      setBody('');
      // The next comment in this form is timed from its own first keystroke.
      startedAt.current = null;
      if (onClose) return onClose();
    } catch (failure) {
      // A member of the site owns that name: the name is what to change.
      if ((failure as { code?: string }).code === 'name_taken') return nameProblem(errorText(failure));
      // A rule of the site's (a banned word, a ban) says which in the server's words; the text stays.
      setError({ message: refusalText(failure) });
    } finally {
      setSending(false);
    }
    restoreFocus();
  }

  function nameProblem(message: string) {
    setShowIdentity(true);
    setError({ message, field: 'name' });
    // A folded field ("Posting as") is there after the next render.
    if (nameInput.current) nameInput.current.focus();
    else requestAnimationFrame(() => nameInput.current?.focus());
  }

  /** The disabled button dropped keyboard focus while sending; put it back in the form. */
  function restoreFocus() {
    const field = textarea.current;
    if (field && !(field.getRootNode() as ShadowRoot).activeElement) field.focus();
  }

  return (
    <form
      class={parentId ? 'composer reply-composer' : 'composer'}
      onSubmit={submit}
      onInput={() => {
        if (startedAt.current === null) startedAt.current = performance.now();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && onClose) onClose();
      }}
      aria-busy={sending}
    >
      <CommentBox
        textarea={textarea}
        describedBy={error && error.field !== 'name' ? `${hintId} ${errorId}` : hintId}
        invalid={error?.field === 'body'}
        placeholder={parentId ? t('writeReply') : t('joinDiscussion')}
        rows={parentId ? 2 : 3}
        value={body}
        onValue={setBody}
      />
      <MarkdownHint id={hintId} />
      {member ? null : showIdentity ? (
        <div class="identity">
          <label>
            <span>{t('name')}</span>
            <input
              ref={nameInput}
              type="text"
              dir="auto"
              aria-invalid={error?.field === 'name' || undefined}
              aria-describedby={error?.field === 'name' ? errorId : undefined}
              autoComplete="name"
              maxLength={MAX_NAME_LENGTH}
              required
              value={name}
              onInput={(event) => setName(event.currentTarget.value)}
            />
          </label>
          <label>
            <span>{t('emailOptional')}</span>
            <input
              type="email"
              autoComplete="email"
              value={email}
              onInput={(event) => setEmail(event.currentTarget.value)}
            />
          </label>
        </div>
      ) : (
        <p class="posting-as">
          {tParts('postingAs', { name: <strong dir="auto">{name}</strong> })}{' '}
          <button type="button" class="link" onClick={() => setShowIdentity(true)}>
            {t('change')}
          </button>
        </p>
      )}
      <Honeypot field={honeypot} />
      {error && (
        <p class="error" role="alert" id={errorId}>
          {error.message}
        </p>
      )}
      <div class="form-buttons">
        {onClose && (
          <button type="button" class="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
        )}
        <button type="submit" class="primary" disabled={sending}>
          {t('postComment')}
        </button>
      </div>
    </form>
  );
}
