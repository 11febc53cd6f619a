/** What a session may do, by its scope: pure rules, unit-tested. */

export type SessionAction = 'comment' | 'vote' | 'edit-own' | 'delete-own' | 'flag' | 'moderate' | 'manage-account' | 'manage-site';

/**
 * An embed session lives in a host page's storage, where any script of that page can read
 * it: it may take part in threads (and moderate them), never change the account or a site.
 */
const embedActions: ReadonlySet<SessionAction> = new Set(['comment', 'vote', 'edit-own', 'delete-own', 'flag', 'moderate']);

export function scopeAllows(scope: 'embed' | 'full', action: SessionAction): boolean {
  return scope === 'full' || embedActions.has(action);
}
