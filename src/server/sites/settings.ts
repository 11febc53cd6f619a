/**
 * A site's settings, changed by its admins on Parley's own pages: the full session only (an
 * embed token, readable by any script of a host page, may not), and a role on that very site.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { roleOn } from '../auth/accounts.js';
import { requireActor } from '../auth/service.js';
import { sites } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { Forbidden } from '../errors.js';
import { canManageSite } from './policy.js';
import { createSiteInput, getSiteBySlug, originOf } from './service.js';

export interface SiteSettings {
  slug: string;
  name: string;
  origins: string[];
  guestsAllowed: boolean;
  premoderation: 'none' | 'guests' | 'all';
  editWindowMinutes: number;
  /** Whether the site signs its users in; the secret itself is never shown again. */
  hasSsoSecret: boolean;
}

export const siteSettingsInput = z.object({
  name: createSiteInput.shape.name,
  origins: createSiteInput.shape.origins,
  guestsAllowed: z.boolean(),
  premoderation: z.enum(['none', 'guests', 'all']),
  editWindowMinutes: z.number().int().min(0).max(1440),
  /** A new secret; absent keeps the current one. */
  ssoSecret: createSiteInput.shape.ssoSecret,
  removeSsoSecret: z.boolean().default(false),
});
export type SiteSettingsInput = z.input<typeof siteSettingsInput>;

async function siteAdministeredBy(deps: Deps, caller: Caller, slug: string) {
  const actor = requireActor(caller, 'manage-site');
  const site = await getSiteBySlug(deps, slug);
  if (!canManageSite(await roleOn(deps.db, site.id, actor.userId))) throw new Forbidden('Only an admin of this site may change its settings.');
  return site;
}

export async function getSiteSettings(deps: Deps, caller: Caller, slug: string): Promise<SiteSettings> {
  const site = await siteAdministeredBy(deps, caller, slug);
  return {
    slug: site.slug, name: site.name, origins: site.allowedOrigins, guestsAllowed: site.guestsAllowed, premoderation: site.premoderation,
    editWindowMinutes: Math.round(site.editWindowSeconds / 60), hasSsoSecret: site.ssoSecret !== null,
  };
}

export async function updateSiteSettings(deps: Deps, caller: Caller, slug: string, input: z.output<typeof siteSettingsInput>): Promise<SiteSettings> {
  const site = await siteAdministeredBy(deps, caller, slug);
  const ssoSecret = input.removeSsoSecret ? null : input.ssoSecret ?? site.ssoSecret;
  await deps.db.update(sites).set({
    name: input.name,
    allowedOrigins: [...new Set(input.origins.map((o) => originOf(o)!))],
    guestsAllowed: input.guestsAllowed,
    premoderation: input.premoderation,
    editWindowSeconds: input.editWindowMinutes * 60,
    ssoSecret,
  }).where(eq(sites.id, site.id));
  deps.events.emit('site.changed', { siteId: site.id });
  return getSiteSettings(deps, caller, slug);
}
