/** Inline editing of the reader's own comment, starting from the markdown they typed. */
import { useId, useRef, useState } from 'preact/hooks';
import type { ApiComment } from '../../shared/api.js';
import { useWidget } from './context.js';
import { CommentBox, FormFooter, MarkdownHint, useAutoFocus, useFieldSubmit } from './form-parts.js';
import { textFromHtml } from './format.js';
import { readSource } from './local-data.js';
import { t } from './i18n.js';

interface EditFormProps {
  comment: ApiComment;
  onClose: () => void;
}

export function EditForm({ comment, onClose }: EditFormProps) {
  const { origin, actions } = useWidget();
  // The API returns only HTML; the source typed in this browser is better when we have it.
  const [body, setBody] = useState(() => readSource(origin, comment.id) ?? textFromHtml(comment.html));
  const textarea = useRef<HTMLTextAreaElement>(null);
  const hintId = useId();
  const errorId = useId();
  useAutoFocus(textarea, true);
  const { busy: saving, error, submit: save } = useFieldSubmit({
    field: textarea,
    value: body,
    emptyMessage: t('editEmpty'),
    send: async () => {
      await actions.edit(comment.id, body);
      onClose();
    },
  });

  return (
    <form
      class="composer edit-form"
      onSubmit={save}
      onKeyDown={(event) => event.key === 'Escape' && onClose()}
      aria-busy={saving}
    >
      <CommentBox
        textarea={textarea}
        describedBy={error?.aboutField ? `${hintId} ${errorId}` : hintId}
        invalid={error?.aboutField}
        rows={3}
        value={body}
        onValue={setBody}
      />
      <MarkdownHint id={hintId} />
      <FormFooter error={error} errorId={errorId} busy={saving} submitLabel={t('save')} onCancel={onClose} />
    </form>
  );
}
