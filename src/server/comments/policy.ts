import type { Actor } from '../deps.js';

/** Pure permission rules: the service enforces them, the widget asks the same questions. */

interface OwnedComment { authorId: string | null; createdAt: Date; status: string }
interface EditWindow { editWindowSeconds: number }

export function isCommentAuthor(actor: Actor | null, comment: OwnedComment): boolean {
  return actor !== null && comment.authorId !== null && comment.authorId === actor.userId;
}

/** The moment a comment stops being editable by its author. */
export function editableUntil(comment: { createdAt: Date }, site: EditWindow): Date {
  return new Date(comment.createdAt.getTime() + site.editWindowSeconds * 1000);
}

export function isWithinEditWindow(comment: OwnedComment, site: EditWindow, now: Date): boolean {
  return now.getTime() <= editableUntil(comment, site).getTime();
}

/** Authors edit and delete their own live comments while the site's window is open. */
export function canEditComment(actor: Actor | null, comment: OwnedComment, site: EditWindow, now: Date): boolean {
  return comment.status !== 'deleted' && isCommentAuthor(actor, comment) && isWithinEditWindow(comment, site, now);
}

export function canVote(comment: { status: string }): boolean {
  return comment.status === 'approved';
}
