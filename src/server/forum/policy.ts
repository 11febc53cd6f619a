/** Who may do what in the forum: pure rules, unit-tested. */
import type { SiteRole } from '../sites/policy.js';

export interface StartingPoint {
  startTopics: 'members' | 'staff' | 'nobody';
}

/**
 * Whether a signed-in reader (never a guest) with this role on the site may start a topic in
 * the category: its setting says members (anyone signed in), staff (moderators and admins), or
 * nobody (a category whose threads start elsewhere, such as article discussions).
 */
export function canStartTopic(category: StartingPoint, reader: { isGuest: boolean; role: SiteRole | null }): boolean {
  if (reader.isGuest) return false;
  if (category.startTopics === 'members') return true;
  if (category.startTopics === 'staff') return reader.role === 'admin' || reader.role === 'moderator';
  return false;
}

/** A topic's address part after its id: lower-case words of its title (any script), dashes between. */
export function titleSlug(title: string): string {
  return title.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80).replace(/-+$/, '');
}
