/** Who may moderate, by role on the site: pure rules, unit-tested. */
import type { SiteRole } from '../sites/policy.js';

/** Queues, comment, thread and user actions: the site's moderators and admins. */
export function canModerate(role: SiteRole | null): boolean {
  return role === 'admin' || role === 'moderator';
}
