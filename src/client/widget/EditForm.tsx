/** Inline editing of the reader's own comment, starting from the markdown they typed. */
import { useId, useRef, useState } from 'preact/hooks';
import type { TargetedEvent } from 'preact';
import type { ApiComment } from '../../shared/api.js';
import { errorText } from './api.js';
import { useWidget } from './context.js';
import { CommentBox, MarkdownHint, useAutoFocus } from './form-parts.js';
import { textFromHtml } from './format.js';
import { readSource } from './local-data.js';

interface EditFormProps {
  comment: ApiComment;
  onClose: () => void;
}

export function EditForm({ comment, onClose }: EditFormProps) {
  const { origin, actions } = useWidget();
  // The API returns only HTML; the source typed in this browser is better when we have it.
  const [body, setBody] = useState(() => readSource(origin, comment.id) ?? textFromHtml(comment.html));
  const [saving, setSaving] = useState(false);
  // `aboutBody` marks the box invalid: an empty edit, not a failed request.
  const [error, setError] = useState<{ message: string; aboutBody: boolean } | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const hintId = useId();
  const errorId = useId();
  useAutoFocus(textarea, true);

  async function save(event: TargetedEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving) return;
    // Only spaces pass the box's `required`: say why nothing was saved instead of ignoring the click.
    if (!body.trim()) {
      setError({ message: 'Write something first, or use Delete to remove the comment.', aboutBody: true });
      textarea.current?.focus();
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await actions.edit(comment.id, body);
      onClose();
    } catch (failure) {
      setError({ message: errorText(failure), aboutBody: false });
      setSaving(false);
    }
  }

  return (
    <form
      class="composer edit-form"
      onSubmit={save}
      onKeyDown={(event) => event.key === 'Escape' && onClose()}
      aria-busy={saving}
    >
      <CommentBox
        textarea={textarea}
        describedBy={error?.aboutBody ? `${hintId} ${errorId}` : hintId}
        invalid={error?.aboutBody}
        rows={3}
        value={body}
        onValue={setBody}
      />
      <MarkdownHint id={hintId} />
      {error && (
        <p class="error" role="alert" id={errorId}>
          {error.message}
        </p>
      )}
      <div class="form-buttons">
        <button type="button" class="secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={saving}>
          Save
        </button>
      </div>
    </form>
  );
}
