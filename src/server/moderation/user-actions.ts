/**
 * What moderators do to a reader on their site: ban, suspend until a date, shadow-ban, trust,
 * or lift it all; and bans by email address or IP hash for readers who come back as new guests.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { transactional } from '../db/index.js';
import { bans, siteMembers, users } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { BadRequest, Forbidden, NotFound } from '../errors.js';
import { getSiteBySlug } from '../sites/service.js';
import { requireModeratorOf } from './access.js';
import { appendAudit } from './audit.js';

export const USER_ACTIONS = ['ban', 'suspend', 'shadowban', 'trust', 'unban'] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

export interface UserActionInput {
  site: string;
  userId: string;
  action: UserAction;
  until?: Date;
  reason?: string;
}

export async function moderateUser(deps: Deps, caller: Caller, input: UserActionInput): Promise<{ userId: string; bans: Array<{ kind: string; until: string | null }>; trusted: boolean }> {
  const site = await getSiteBySlug(deps, input.site);
  const moderator = await requireModeratorOf(deps, caller, site);
  if (input.userId === moderator.userId) throw new Forbidden('Moderators cannot act on themselves.');
  if (input.action === 'suspend' && (!input.until || input.until <= deps.now())) throw new BadRequest('A suspension needs an end date in the future (until).');
  return transactional(deps.db, async (tx, afterCommit) => {
    // Measures on one reader of a site queue: two moderators acting at once leave one in force, not two.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`bans:${site.id}:${input.userId}`}))`);
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, input.userId));
    if (!user) throw new NotFound('User');
    const [staff] = await tx.select({ role: siteMembers.role }).from(siteMembers).where(and(eq(siteMembers.siteId, site.id), eq(siteMembers.userId, user.id)));
    if (staff && staff.role !== 'member' && input.action !== 'trust') throw new Forbidden('Staff are not banned: an admin changes their role first.');
    const inForce = and(eq(bans.siteId, site.id), eq(bans.userId, user.id), isNull(bans.liftedAt));
    const before = await tx.select({ kind: bans.kind, until: bans.until }).from(bans).where(inForce);
    if (input.action === 'trust') {
      await tx.insert(siteMembers).values({ siteId: site.id, userId: user.id, trusted: true })
        .onConflictDoUpdate({ target: [siteMembers.siteId, siteMembers.userId], set: { trusted: true } });
    } else {
      // One measure at a time: a new ban replaces the one before; unban lifts them (and trust stays).
      await tx.update(bans).set({ liftedAt: deps.now() }).where(inForce);
      if (input.action !== 'unban') {
        await tx.insert(bans).values({
          siteId: site.id, userId: user.id, kind: input.action, until: input.action === 'suspend' ? input.until : null,
          reason: input.reason ?? null, createdBy: moderator.userId,
        });
      }
    }
    const after = await tx.select({ kind: bans.kind, until: bans.until }).from(bans).where(inForce);
    if (input.action === 'ban' || input.action === 'suspend' || input.action === 'shadowban') {
      await deps.outbox.add({ tx, afterCommit }, {
        type: 'user.banned', siteId: site.id, userId: user.id, kind: input.action, until: input.until?.toISOString() ?? null, moderatorId: moderator.userId,
      });
    }
    const [member] = await tx.select({ trusted: siteMembers.trusted }).from(siteMembers).where(and(eq(siteMembers.siteId, site.id), eq(siteMembers.userId, user.id)));
    await appendAudit(tx, deps.now(), {
      siteId: site.id, actor: moderator, action: `user.${input.action}`, targetType: 'user', targetId: user.id,
      before: { bans: before }, after: { bans: after, trusted: member?.trusted ?? false, reason: input.reason ?? null },
    });
    return { userId: user.id, bans: after.map((b) => ({ kind: b.kind, until: b.until?.toISOString() ?? null })), trusted: member?.trusted ?? false };
  });
}

/** Bans an email address or an IP hash (as the queue shows it) on the site: guests who come back under new names. */
export async function banAddress(
  deps: Deps,
  caller: Caller,
  input: { site: string; email?: string; ipHash?: string; kind: 'ban' | 'shadowban'; reason?: string },
): Promise<{ id: string }> {
  const site = await getSiteBySlug(deps, input.site);
  const moderator = await requireModeratorOf(deps, caller, site);
  if (!input.email === !input.ipHash) throw new BadRequest('Give an email address or an IP hash (one of them).');
  return transactional(deps.db, async (tx) => {
    const [row] = await tx.insert(bans).values({
      siteId: site.id, kind: input.kind, email: input.email?.trim().toLowerCase() ?? null, ipHash: input.ipHash ?? null,
      reason: input.reason ?? null, createdBy: moderator.userId,
    }).returning({ id: bans.id });
    await appendAudit(tx, deps.now(), {
      siteId: site.id, actor: moderator, action: `address.${input.kind}`, targetType: 'user', targetId: input.email ? `email:${input.email.toLowerCase()}` : `ip:${input.ipHash}`,
      before: null, after: { kind: input.kind, reason: input.reason ?? null },
    });
    return row;
  });
}
