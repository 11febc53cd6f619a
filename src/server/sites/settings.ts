/**
 * A site's settings and staff, changed by its admins on Parley's own pages: the full session
 * only (an embed token, readable by any script of a host page, may not), and a role on that
 * very site. Every change is written to the site's audit log.
 */
import { and, asc, eq, ne } from 'drizzle-orm';
import { z } from 'zod';
import { roleOn } from '../auth/accounts.js';
import { requireActor } from '../auth/service.js';
import { transactional } from '../db/index.js';
import { siteMembers, sites, users } from '../db/schema.js';
import type { Actor, Caller, Deps } from '../deps.js';
import { BadRequest, Forbidden } from '../errors.js';
import { appendAudit } from '../moderation/audit.js';
import { canManageSite, type SiteRole } from './policy.js';
import { createSiteInput, getSiteBySlug, originOf, sitePolicyInput, type Site } from './service.js';

export interface SiteSettings {
  slug: string;
  name: string;
  origins: string[];
  guestsAllowed: boolean;
  premoderation: 'none' | 'guests' | 'all';
  premoderateNewMembers: number;
  premoderateLinks: boolean;
  bannedWords: string[];
  suspectWords: string[];
  flagThreshold: number;
  maxLinks: number;
  minComposeSeconds: number;
  autoCloseDays: number | null;
  editWindowMinutes: number;
  /** Whether the site signs its users in; the secret itself is never shown again. */
  hasSsoSecret: boolean;
  staff: Array<{ userId: string; name: string; email: string | null; role: 'admin' | 'moderator' }>;
}

const policy = sitePolicyInput.required();
export const siteSettingsInput = z.object({
  name: createSiteInput.shape.name,
  origins: createSiteInput.shape.origins,
  guestsAllowed: policy.shape.guestsAllowed,
  premoderation: policy.shape.premoderation,
  premoderateNewMembers: policy.shape.premoderateNewMembers,
  premoderateLinks: policy.shape.premoderateLinks,
  bannedWords: policy.shape.bannedWords,
  suspectWords: policy.shape.suspectWords,
  flagThreshold: policy.shape.flagThreshold,
  maxLinks: policy.shape.maxLinks,
  minComposeSeconds: policy.shape.minComposeSeconds,
  autoCloseDays: policy.shape.autoCloseDays,
  editWindowMinutes: z.number().int().min(0).max(1440),
  /** A new secret; absent keeps the current one. */
  ssoSecret: createSiteInput.shape.ssoSecret,
  removeSsoSecret: z.boolean().default(false),
});
export type SiteSettingsInput = z.input<typeof siteSettingsInput>;

async function siteAdministeredBy(deps: Deps, caller: Caller, slug: string): Promise<{ site: Site; admin: Actor }> {
  const admin = requireActor(caller, 'manage-site');
  const site = await getSiteBySlug(deps, slug);
  if (!canManageSite(await roleOn(deps.db, site.id, admin.userId))) throw new Forbidden('Only an admin of this site may change its settings.');
  return { site, admin };
}

/** The audit's picture of the settings: never the SSO secret, only whether there is one. */
function auditView(site: Site) {
  const { ssoSecret, createdAt: _created, id: _id, ...rest } = site;
  return { ...rest, hasSsoSecret: ssoSecret !== null };
}

async function settingsOf(deps: Deps, site: Site): Promise<SiteSettings> {
  const staff = await deps.db.select({ userId: users.id, name: users.displayName, email: users.email, role: siteMembers.role })
    .from(siteMembers).innerJoin(users, eq(users.id, siteMembers.userId))
    .where(and(eq(siteMembers.siteId, site.id), ne(siteMembers.role, 'member'))).orderBy(asc(users.displayName));
  return {
    slug: site.slug, name: site.name, origins: site.allowedOrigins, guestsAllowed: site.guestsAllowed, premoderation: site.premoderation,
    premoderateNewMembers: site.premoderateNewMembers, premoderateLinks: site.premoderateLinks, bannedWords: site.bannedWords,
    suspectWords: site.suspectWords, flagThreshold: site.flagThreshold, maxLinks: site.maxLinks, minComposeSeconds: site.minComposeSeconds,
    autoCloseDays: site.autoCloseDays, editWindowMinutes: Math.round(site.editWindowSeconds / 60), hasSsoSecret: site.ssoSecret !== null,
    staff: staff as SiteSettings['staff'],
  };
}

export async function getSiteSettings(deps: Deps, caller: Caller, slug: string): Promise<SiteSettings> {
  return settingsOf(deps, (await siteAdministeredBy(deps, caller, slug)).site);
}

export async function updateSiteSettings(deps: Deps, caller: Caller, slug: string, input: z.output<typeof siteSettingsInput>): Promise<SiteSettings> {
  const { site, admin } = await siteAdministeredBy(deps, caller, slug);
  const { editWindowMinutes, removeSsoSecret, ssoSecret, origins, ...rest } = input;
  const updated = await transactional(deps.db, async (tx) => {
    const [row] = await tx.update(sites).set({
      ...rest,
      allowedOrigins: [...new Set(origins.map((o) => originOf(o)!))],
      editWindowSeconds: editWindowMinutes * 60,
      ssoSecret: removeSsoSecret ? null : ssoSecret ?? site.ssoSecret,
    }).where(eq(sites.id, site.id)).returning();
    await appendAudit(tx, deps.now(), { siteId: site.id, actor: admin, action: 'site.settings', targetType: 'site', targetId: site.id, before: auditView(site), after: auditView(row) });
    return row;
  });
  deps.events.emit('site.changed', { siteId: site.id });
  return settingsOf(deps, updated);
}

/** Makes the account with this address a moderator or admin of the site, or a plain member again ('member'). */
export async function setStaffRole(deps: Deps, caller: Caller, slug: string, input: { email: string; role: SiteRole }): Promise<SiteSettings> {
  const { site, admin } = await siteAdministeredBy(deps, caller, slug);
  const [user] = await deps.db.select({ id: users.id }).from(users).where(eq(users.accountEmail, input.email.trim().toLowerCase()));
  if (!user) throw new BadRequest('No account uses that address: they sign up first.');
  if (user.id === admin.userId && input.role !== 'admin') throw new BadRequest('An admin does not demote themself: another admin does.');
  await transactional(deps.db, async (tx) => {
    const before = await roleOn(tx, site.id, user.id);
    await tx.insert(siteMembers).values({ siteId: site.id, userId: user.id, role: input.role })
      .onConflictDoUpdate({ target: [siteMembers.siteId, siteMembers.userId], set: { role: input.role } });
    await appendAudit(tx, deps.now(), { siteId: site.id, actor: admin, action: 'site.role', targetType: 'user', targetId: user.id, before: { role: before }, after: { role: input.role } });
  });
  return settingsOf(deps, site);
}
