/** Who may do what to a site, by their role on it: pure rules, unit-tested. */

export type SiteRole = 'admin' | 'moderator' | 'member';

/** Settings (origins, guests, moderation policy, SSO secret) are the admins'. */
export function canManageSite(role: SiteRole | null): boolean {
  return role === 'admin';
}
