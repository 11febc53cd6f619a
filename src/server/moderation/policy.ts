/** Who may moderate, by role on the site: pure rules, unit-tested. */
import type { SiteRole } from '../sites/policy.js';

/** Queues, comment, thread and user actions: the site's moderators and admins. */
export function canModerate(role: SiteRole | null): boolean {
  return role === 'admin' || role === 'moderator';
}

export type ModeratedCommentAction = 'approve' | 'reject' | 'spam' | 'delete' | 'restore' | 'pin' | 'unpin' | 'edit';

interface ModeratedComment { status: string; parentId: string | null; pinned: boolean; flagCount: number; shadowed: boolean }

/**
 * Whether an action means anything for a comment as it stands: the service refuses the rest
 * (409), and the dashboard shows only these buttons. A deleted comment's text is gone: nothing
 * but its place is left to act on.
 */
export function commentActionApplies(action: ModeratedCommentAction, c: ModeratedComment): boolean {
  const live = c.status !== 'deleted';
  const topLevelPublished = c.status === 'approved' && c.parentId === null;
  switch (action) {
    case 'approve': return live && (c.status !== 'approved' || c.flagCount > 0 || c.shadowed);
    case 'reject': return live && c.status !== 'rejected';
    case 'spam': return live && c.status !== 'spam';
    case 'restore': return c.status === 'rejected' || c.status === 'spam';
    case 'pin': return topLevelPublished && !c.pinned;
    case 'unpin': return topLevelPublished && c.pinned;
    case 'delete':
    case 'edit': return live;
  }
}
