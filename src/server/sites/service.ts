import { and, arrayContains, eq } from 'drizzle-orm';
import { z } from 'zod';
import { sites } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { AppError, BadRequest, NotFound } from '../errors.js';
import { ErrorCodes } from '../../shared/errors.js';

export type Site = typeof sites.$inferSelect;

/** scheme://host[:port] of a URL, the form browsers send in Origin. */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return parsed.origin;
  } catch {
    return null;
  }
}

export const createSiteInput = z.object({
  slug: z.string().trim().min(2).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  name: z.string().trim().min(1).max(200),
  origins: z.array(z.string().refine((o) => originOf(o) !== null, 'an http(s) origin such as https://example.org')).min(1),
  guestsAllowed: z.boolean().default(true),
  premoderation: z.enum(['none', 'guests', 'all']).default('none'),
  /** Query parameters that name a different page; every other one is left out of thread keys. */
  significantQueryParams: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
  /** Secret: keys the site's signed sign-ins (SSO). */
  ssoSecret: z.string().min(16, 'at least 16 characters').max(500).optional(),
});
export type CreateSiteInput = z.input<typeof createSiteInput>;

export async function createSite(deps: Deps, input: CreateSiteInput): Promise<Site> {
  const parsed = createSiteInput.safeParse(input);
  if (!parsed.success) throw new BadRequest('Invalid site.', z.flattenError(parsed.error).fieldErrors);
  const { slug, name, origins, guestsAllowed, premoderation, significantQueryParams, ssoSecret } = parsed.data;
  const allowedOrigins = [...new Set(origins.map((o) => originOf(o)!))];
  const [site] = await deps.db
    .insert(sites)
    .values({ slug, name, allowedOrigins, guestsAllowed, premoderation, significantQueryParams, ssoSecret })
    .onConflictDoNothing({ target: sites.slug })
    .returning();
  if (!site) throw new AppError(ErrorCodes.conflict, 409, `A site with the slug "${slug}" exists already.`);
  deps.events.emit('site.changed', { siteId: site.id });
  return site;
}

export async function findSiteBySlug(deps: Deps, slug: string): Promise<Site | undefined> {
  const [site] = await deps.db.select().from(sites).where(eq(sites.slug, slug)).limit(1);
  return site;
}

/** A site that serves comments (a disabled one, such as the demo beside real sites, does not). */
export async function getSiteBySlug(deps: Deps, slug: string): Promise<Site> {
  const site = await findSiteBySlug(deps, slug);
  if (!site || !site.enabled) throw new NotFound(`Site "${slug}"`);
  return site;
}

/** A Disqus snippet names no site: the page's origin does, when exactly one site allows it. */
export async function findSiteByPageUrl(deps: Deps, url: string): Promise<Site> {
  const origin = originOf(url);
  if (!origin) throw new BadRequest('The page URL is not an http(s) URL.');
  const found = await deps.db.select().from(sites)
    .where(and(arrayContains(sites.allowedOrigins, [origin]), eq(sites.enabled, true))).limit(2);
  if (found.length !== 1) throw new NotFound(`A single site for ${origin}`);
  return found[0];
}

/** The site a request means: the one it names, else the one allowing the page's origin. */
export async function siteNamedOrAllowing(deps: Deps, input: { slug?: string; pageUrl?: string }): Promise<Site> {
  if (input.slug) return getSiteBySlug(deps, input.slug);
  if (input.pageUrl) return findSiteByPageUrl(deps, input.pageUrl);
  throw new BadRequest('Name the site, or give the page URL.');
}

/** Every origin any site that serves comments allows: the CORS and socket.io allowlist. */
export async function listAllowedOrigins(deps: Deps): Promise<Set<string>> {
  const rows = await deps.db.select({ origins: sites.allowedOrigins }).from(sites).where(eq(sites.enabled, true));
  return new Set(rows.flatMap((r) => r.origins));
}

/** Whether any site but `slug` exists: the demo stays on by default only while it is alone. */
export async function otherSitesExist(deps: Deps, slug: string): Promise<boolean> {
  const rows = await deps.db.select({ slug: sites.slug }).from(sites).limit(2);
  return rows.some((r) => r.slug !== slug);
}

/**
 * Turns a site on or off (the demo beside real sites); a disabled site serves nothing and allows
 * no origin. True when the site was in the other state.
 */
export async function setSiteEnabled(deps: Deps, slug: string, enabled: boolean): Promise<boolean> {
  const changed = await deps.db.update(sites).set({ enabled })
    .where(and(eq(sites.slug, slug), eq(sites.enabled, !enabled))).returning({ id: sites.id });
  for (const { id } of changed) deps.events.emit('site.changed', { siteId: id });
  return changed.length > 0;
}

const ssoSecretInput = createSiteInput.shape.ssoSecret.unwrap();

/** Sets (or, with null, removes) the secret a site signs its users in with. */
export async function setSiteSsoSecret(deps: Deps, slug: string, secret: string | null): Promise<void> {
  const parsed = secret === null ? { success: true as const, data: null } : ssoSecretInput.safeParse(secret);
  if (!parsed.success) throw new BadRequest('Invalid SSO secret.', { ssoSecret: parsed.error.issues.map((i) => i.message) });
  const [site] = await deps.db.update(sites).set({ ssoSecret: parsed.data }).where(eq(sites.slug, slug)).returning({ id: sites.id });
  if (!site) throw new NotFound(`Site "${slug}"`);
  deps.events.emit('site.changed', { siteId: site.id });
}

/** A site's moderation policies: what holds, refuses or hides a comment, and how long threads and edits stay open. */
export const sitePolicyInput = z.object({
  guestsAllowed: z.boolean(),
  premoderation: z.enum(['none', 'guests', 'all']),
  premoderateNewMembers: z.number().int().min(0).max(1000),
  premoderateLinks: z.boolean(),
  bannedWords: z.array(z.string().trim().min(1).max(100)).max(1000),
  suspectWords: z.array(z.string().trim().min(1).max(100)).max(1000),
  flagThreshold: z.number().int().min(1).max(1000),
  maxLinks: z.number().int().min(0).max(100),
  minComposeSeconds: z.number().int().min(0).max(600),
  autoCloseDays: z.number().int().min(1).max(36_500).nullable(),
  editWindowSeconds: z.number().int().min(0).max(86_400),
}).partial();
export type SitePolicyInput = z.input<typeof sitePolicyInput>;

/** Changes some of a site's policies (the CLI's site-settings, the admins' settings page). */
export async function updateSitePolicy(deps: Deps, slug: string, input: SitePolicyInput): Promise<Site> {
  const parsed = sitePolicyInput.safeParse(input);
  if (!parsed.success) throw new BadRequest('Invalid site settings.', z.flattenError(parsed.error).fieldErrors);
  if (Object.keys(parsed.data).length === 0) return getSiteBySlug(deps, slug);
  const [site] = await deps.db.update(sites).set(parsed.data).where(eq(sites.slug, slug)).returning();
  if (!site) throw new NotFound(`Site "${slug}"`);
  deps.events.emit('site.changed', { siteId: site.id });
  return site;
}
