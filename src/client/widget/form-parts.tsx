/** Small pieces shared by the comment and edit forms. */
import { useLayoutEffect, useState } from 'preact/hooks';
import type { RefObject, TargetedEvent, TargetedKeyboardEvent } from 'preact';
import { MAX_BODY_LENGTH, MAX_NAME_LENGTH } from '../../shared/api.js';
import { refusalText } from './api.js';
import { t } from './i18n.js';

export function MarkdownHint({ id }: { id: string }) {
  return (
    <p class="hint" id={id}>
      {t('markdownHint')} <code>**bold**</code> <code>_italic_</code> <code>`code`</code> <code>[link](url)</code>{' '}
      <code>&gt; quote</code> · {t('ctrlEnter')}
    </p>
  );
}

/** Ctrl+Enter (Cmd+Enter on a Mac) sends the form, as in most comment boxes. */
export function submitOnCtrlEnter(event: TargetedKeyboardEvent<HTMLTextAreaElement>): void {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    event.currentTarget.form?.requestSubmit();
  }
}

/** Moves focus into a form that just opened inline, so keyboard users land where they asked to write. */
export function useAutoFocus(target: RefObject<HTMLTextAreaElement | HTMLInputElement | null>, enabled: boolean): void {
  // A layout effect: focus moves in the same task as the render, so keys typed right after are not lost.
  useLayoutEffect(() => {
    if (!enabled || !target.current) return;
    const field = target.current;
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
  }, []);
}

interface CommentBoxProps {
  textarea: RefObject<HTMLTextAreaElement | null>;
  describedBy: string;
  /** Set while the form's error is about this box, so it is announced as invalid with the error. */
  invalid?: boolean;
  placeholder?: string;
  rows: number;
  value: string;
  onValue: (value: string) => void;
}

/** The markdown textarea of every form, named "Comment" as the contract says. */
export function CommentBox({ textarea, describedBy, invalid, placeholder, rows, value, onValue }: CommentBoxProps) {
  return (
    <textarea
      ref={textarea}
      aria-label={t('comment')}
      aria-describedby={describedBy}
      aria-invalid={invalid || undefined}
      placeholder={placeholder}
      dir="auto"
      rows={rows}
      maxLength={MAX_BODY_LENGTH}
      required
      value={value}
      onInput={(event) => onValue(event.currentTarget.value)}
      onKeyDown={submitOnCtrlEnter}
    />
  );
}

/** A failed send, or an empty field (`aboutField`: the field is what to fix, not the request). */
export interface FormError {
  message: string;
  aboutField: boolean;
}

/**
 * A one-field form's submit: says why an empty field sends nothing (its `required` lets spaces
 * through), sends once at a time, and on failure keeps what was typed and shows why.
 */
export function useFieldSubmit(options: {
  field: RefObject<HTMLTextAreaElement | HTMLInputElement | null>;
  value: string;
  emptyMessage: string;
  send: () => Promise<void>;
  /** A disabled button drops focus: put it back in the field, where the reader fixes the form. */
  refocusOnFailure?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  async function submit(event: TargetedEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    if (!options.value.trim()) {
      setError({ message: options.emptyMessage, aboutField: true });
      options.field.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await options.send();
    } catch (failure) {
      // A guest name a member owns is the field's fault (a vote's name prompt); any other, the request's.
      setError({ message: refusalText(failure), aboutField: (failure as { code?: string }).code === 'name_taken' });
      setBusy(false);
      if (options.refocusOnFailure) options.field.current?.focus();
    }
  }
  return { busy, error, submit };
}

/** The end of a small form: what went wrong (announced), then Cancel and the form's own action. */
export function FormFooter({ error, errorId, busy, submitLabel, onCancel }: {
  error: { message: string } | null | undefined;
  errorId: string;
  busy: boolean;
  submitLabel: string;
  onCancel: () => void;
}) {
  return (
    <>
      {error && (
        <p class="error" role="alert" id={errorId}>
          {error.message}
        </p>
      )}
      <div class="form-buttons">
        <button type="button" class="secondary" onClick={onCancel}>
          {t('cancel')}
        </button>
        <button type="submit" class="primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </>
  );
}

/** The name a guest gives to vote or flag (the composer asks for it with an email beside it). */
export function GuestNameInput({ inputRef, required, describedBy, invalid, value, onValue }: {
  inputRef: RefObject<HTMLInputElement | null>;
  required?: boolean;
  describedBy: string | undefined;
  invalid: boolean | undefined;
  value: string;
  onValue: (value: string) => void;
}) {
  return (
    <label>
      <span>{t('yourName')}</span>
      <input
        ref={inputRef}
        type="text"
        dir="auto"
        autoComplete="name"
        maxLength={MAX_NAME_LENGTH}
        required={required}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        value={value}
        onInput={(event) => onValue(event.currentTarget.value)}
      />
    </label>
  );
}
