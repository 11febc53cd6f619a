import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/index.js';
import { bans, siteMembers, users } from '../db/schema.js';
import type { SiteRole } from '../sites/policy.js';

export interface Standing {
  role: SiteRole | null;
  trusted: boolean;
  /** The strongest ban in force against the writer, if any: ban > suspend > shadowban. */
  ban: { kind: 'ban' | 'suspend' | 'shadowban'; until: Date | null } | null;
}

const STRENGTH = { ban: 3, suspend: 2, shadowban: 1 } as const;

/**
 * A writer's standing on a site: their role and trust, and the bans in force against them by
 * user, by email address or by IP hash. Two indexed lookups, before the write's transaction.
 */
export async function readStanding(
  db: DbOrTx,
  input: { siteId: string; userId: string | null; email: string | null; ipHash: string | null; now: Date },
): Promise<Standing> {
  const member = input.userId
    ? (await db.select({ role: siteMembers.role, trusted: siteMembers.trusted }).from(siteMembers)
      .where(and(eq(siteMembers.siteId, input.siteId), eq(siteMembers.userId, input.userId))))[0]
    : undefined;
  const targets = [
    input.userId ? eq(bans.userId, input.userId) : undefined,
    // An account's own address counts as much as one a guest types.
    input.userId ? sql`${bans.email} = (select lower(${users.email}) from ${users} where ${users.id} = ${input.userId})` : undefined,
    input.email ? eq(bans.email, input.email.trim().toLowerCase()) : undefined,
    input.ipHash ? eq(bans.ipHash, input.ipHash) : undefined,
  ].filter((t) => t !== undefined);
  const inForce = targets.length === 0 ? [] : await db.select({ kind: bans.kind, until: bans.until }).from(bans).where(and(
    eq(bans.siteId, input.siteId), isNull(bans.liftedAt), or(...targets), or(isNull(bans.until), gt(bans.until, sql`${input.now.toISOString()}::timestamptz`)),
  ));
  const ban = inForce.sort((a, b) => STRENGTH[b.kind] - STRENGTH[a.kind])[0] ?? null;
  return { role: member?.role ?? null, trusted: member?.trusted ?? false, ban };
}
