/**
 * Flagging someone else's comment for the moderators: why (one reason of five), an optional
 * note, and, from a reader without a session, the name to flag under (a flag needs a session,
 * as a vote does: the name makes them a guest), or a sign-in instead.
 */
import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { TargetedEvent } from 'preact';
import { type ApiComment, type FlagReason } from '../../shared/api.js';
import { refusalText } from './api.js';
import { useWidget } from './context.js';
import { readGuest } from './local-data.js';
import { FormFooter, GuestNameInput } from './form-parts.js';
import { t, tParts } from './i18n.js';
import type { TextKey } from './i18n/en.js';

const REASONS: Array<[FlagReason, TextKey]> = [
  ['spam', 'reasonSpam'],
  ['abuse', 'reasonAbuse'],
  ['off-topic', 'reasonOffTopic'],
  ['misinformation', 'reasonMisinformation'],
  ['other', 'reasonOther'],
];

/** The server's limit on a flag's note. */
const MAX_NOTE_LENGTH = 500;

interface FlagFormProps {
  comment: ApiComment;
  /** After the flag was taken. */
  onFlagged: () => void;
  /** On Cancel or Escape. */
  onClose: () => void;
}

export function FlagForm({ comment, onFlagged, onClose }: FlagFormProps) {
  const { origin, actions, account, hasSession } = useWidget();
  const [reason, setReason] = useState<FlagReason | null>(null);
  const [note, setNote] = useState('');
  const [name, setName] = useState(() => readGuest(origin)?.name ?? '');
  // Asked when there is no session, or when the server said the one we had is gone.
  const [askName, setAskName] = useState(false);
  const needsName = askName || !hasSession();
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<{ message: string; field?: 'reason' | 'name' } | null>(null);
  const firstReason = useRef<HTMLInputElement>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  const legendId = useId();
  const errorId = useId();
  // Keyboard users land on the reasons, where the arrow keys choose one.
  useLayoutEffect(() => firstReason.current?.focus(), []);

  function problem(message: string, field: 'reason' | 'name', target: HTMLInputElement | null) {
    setError({ message, field });
    target?.focus();
  }

  async function submit(event: TargetedEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    if (!reason) return problem(t('chooseReason'), 'reason', firstReason.current);
    if (needsName && !name.trim()) return problem(t('enterName'), 'name', nameInput.current);
    setSending(true);
    setError(null);
    try {
      await actions.flag(comment.id, reason, note, needsName ? name.trim() : undefined);
      setSending(false);
      onFlagged();
    } catch (failure) {
      setSending(false);
      const code = (failure as { code?: string }).code;
      if (code === 'auth_required') {
        // The session was dropped on the way: as for a new reader, a name (or a sign-in) it is.
        setAskName(true);
        setError({ message: refusalText(failure), field: 'name' });
        requestAnimationFrame(() => nameInput.current?.focus());
        return;
      }
      setError({ message: refusalText(failure), field: code === 'name_taken' ? 'name' : undefined });
      if (code === 'name_taken') nameInput.current?.focus();
    }
  }

  const describedBy = (field: 'reason' | 'name') => (error?.field === field ? errorId : undefined);

  return (
    <form
      class="composer flag-form"
      onSubmit={submit}
      onKeyDown={(event) => event.key === 'Escape' && onClose()}
      aria-busy={sending}
    >
      <fieldset
        role="radiogroup"
        aria-labelledby={legendId}
        aria-describedby={describedBy('reason')}
        aria-invalid={error?.field === 'reason' || undefined}
      >
        <legend id={legendId}>{t('flagWhy')}</legend>
        {REASONS.map(([value, label], index) => (
          <label key={value} class="choice">
            <input
              ref={index === 0 ? firstReason : undefined}
              type="radio"
              name={`${legendId}-reason`}
              value={value}
              checked={reason === value}
              onChange={() => setReason(value)}
            />
            {t(label)}
          </label>
        ))}
      </fieldset>
      <label class="field">
        <span>{t('flagNote')}</span>
        <textarea
          dir="auto"
          rows={2}
          maxLength={MAX_NOTE_LENGTH}
          value={note}
          onInput={(event) => setNote(event.currentTarget.value)}
        />
      </label>
      {needsName && (
        <div class="identity">
          <p class="hint">
            {account.siteSignIn
              ? t('flagNameHint')
              : tParts('flagOrSignIn', {
                signIn: (
                  <button type="button" class="link" onClick={account.signIn}>
                    {t('signInLower')}
                  </button>
                ),
              })}
          </p>
          <GuestNameInput inputRef={nameInput} describedBy={describedBy('name')} invalid={error?.field === 'name'} value={name} onValue={setName} />
        </div>
      )}
      <FormFooter error={error} errorId={errorId} busy={sending} submitLabel={t('sendFlag')} onCancel={onClose} />
    </form>
  );
}
