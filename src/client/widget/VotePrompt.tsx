/**
 * Asks a reader who has no session for the name to vote under: a vote makes them a guest,
 * as a first comment does, so the server can hold them to one vote per comment.
 */
import { useId, useRef, useState } from 'preact/hooks';
import type { ApiComment } from '../../shared/api.js';
import { useWidget } from './context.js';
import { FormFooter, GuestNameInput, useAutoFocus, useFieldSubmit } from './form-parts.js';
import { readGuest } from './local-data.js';
import { t } from './i18n.js';

interface VotePromptProps {
  comment: ApiComment;
  direction: 1 | -1;
  /** After the vote, on Cancel, or on Escape. */
  onClose: () => void;
}

export function VotePrompt({ comment, direction, onClose }: VotePromptProps) {
  const { origin, actions, reader } = useWidget();
  const [name, setName] = useState(() => readGuest(origin)?.name ?? '');
  const input = useRef<HTMLInputElement>(null);
  const hintId = useId();
  const errorId = useId();
  useAutoFocus(input, true);
  const { busy: sending, error, submit } = useFieldSubmit({
    field: input,
    value: name,
    emptyMessage: t('enterName'),
    refocusOnFailure: true,
    send: async () => {
      await actions.vote(comment.id, reader.votes[comment.id] ?? 0, direction, name.trim());
      onClose();
    },
  });

  return (
    <form class="composer" onSubmit={submit} onKeyDown={(event) => event.key === 'Escape' && onClose()} aria-busy={sending}>
      <p class="hint" id={hintId}>
        {t(direction === 1 ? 'toUpvote' : 'toDownvote')}
      </p>
      <div class="identity">
        <GuestNameInput
          inputRef={input}
          required
          describedBy={error ? `${hintId} ${errorId}` : hintId}
          invalid={error?.aboutField}
          value={name}
          onValue={setName}
        />
      </div>
      <FormFooter error={error} errorId={errorId} busy={sending} submitLabel={t('voteAsGuest')} onCancel={onClose} />
    </form>
  );
}
