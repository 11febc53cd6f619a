/**
 * What the dashboard needs beyond the moderation API: which sites the signed-in account
 * moderates, and whether it may also change a site's settings. The roles' meaning stays with
 * their predicates (canModerate, canManageSite); the queues, actions and audit are the
 * moderation services', called as they are.
 */
import { and, asc, eq } from 'drizzle-orm';
import { roleOn } from '../auth/accounts.js';
import { siteMembers, sites } from '../db/schema.js';
import type { Actor, Deps } from '../deps.js';
import { canModerate } from '../moderation/policy.js';
import { canManageSite, type SiteRole } from '../sites/policy.js';

export interface ModeratedSite {
  slug: string;
  name: string;
  role: SiteRole;
  /** The site's admins also get a link to its settings. */
  manages: boolean;
}

/** The enabled sites on which the account is staff, by name. */
export async function listModeratedSites(deps: Deps, actor: Actor): Promise<ModeratedSite[]> {
  const rows = await deps.db.select({ slug: sites.slug, name: sites.name, role: siteMembers.role })
    .from(siteMembers).innerJoin(sites, eq(sites.id, siteMembers.siteId))
    .where(and(eq(siteMembers.userId, actor.userId), eq(sites.enabled, true)))
    .orderBy(asc(sites.name));
  return rows.filter((r) => canModerate(r.role)).map((r) => ({ ...r, manages: canManageSite(r.role) }));
}

/** Whether the account may open the site's settings page (asked once the queue has let it in). */
export async function managesSite(deps: Deps, actor: Actor, siteId: string): Promise<boolean> {
  return canManageSite(await roleOn(deps.db, siteId, actor.userId));
}
