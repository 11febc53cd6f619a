/**
 * The reader's writes: each calls the API, then applies the server's answer to the
 * thread state (a vote shows at once, then is confirmed or undone), and remembers what
 * the API cannot give back (the markdown source, the guest's name).
 */
import { useMemo } from 'preact/hooks';
import type { Dispatch } from 'preact/hooks';
import type { VoteResponse } from '../../shared/api.js';
import type { ThreadActions } from './context.js';
import type { WidgetApi } from './api.js';
import { forgetSource, readGuest, saveGuest, saveSource } from './local-data.js';
import { callEach, type WidgetCallbacks } from './mount-options.js';
import type { ThreadAction } from './thread-state.js';

export function useThreadActions(
  api: WidgetApi,
  threadId: string,
  dispatch: Dispatch<ThreadAction>,
  callbacks: WidgetCallbacks,
): ThreadActions {
  return useMemo<ThreadActions>(
    () => ({
      async post(body, parentId, author, signals) {
        const response = await api.post(threadId, {
          body,
          parentId: parentId ?? undefined,
          author: author ? { name: author.name, email: author.email || undefined } : undefined,
          hp: signals.hp,
          composeMs: signals.composeMs,
        });
        if (author) saveGuest(api.origin, author);
        saveSource(api.origin, response.comment.id, body);
        dispatch({ type: 'own', comment: response.comment, editableUntil: response.editableUntil });
        callEach(callbacks.onNewComment, { id: response.comment.id, text: body });
      },

      async edit(commentId, body) {
        const { comment, editableUntil } = await api.edit(commentId, body);
        saveSource(api.origin, commentId, body);
        dispatch({ type: 'own', comment, editableUntil });
      },

      async remove(commentId) {
        const { placeholder, prunedIds } = await api.remove(commentId);
        forgetSource(api.origin, commentId);
        dispatch({ type: 'remove', id: commentId, placeholder, prunedIds: prunedIds ?? [] });
      },

      async vote(commentId, before, direction, name) {
        const after = before === direction ? 0 : direction;
        dispatch({ type: 'voteSent', id: commentId, before, after });
        let result: VoteResponse | null = null;
        try {
          result = await api.vote(commentId, { value: after, author: name ? { name } : undefined });
          // The composer then knows the guest the vote made.
          if (name) saveGuest(api.origin, { name, email: readGuest(api.origin)?.email ?? '' });
        } finally {
          dispatch({ type: 'voteDone', id: commentId, result });
        }
      },

      async flag(commentId, reason, note, name) {
        await api.flag(commentId, { reason, note: note.trim() || undefined, author: name ? { name } : undefined });
        if (name) saveGuest(api.origin, { name, email: readGuest(api.origin)?.email ?? '' });
        dispatch({ type: 'flagged', id: commentId });
      },
    }),
    [api, threadId, dispatch, callbacks],
  );
}
