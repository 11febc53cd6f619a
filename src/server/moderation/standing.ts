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
 * user, by email address (theirs, or the one a guest types) or by IP hash. One round trip,
 * before the write's transaction: it is on every comment's and vote's path.
 */
export async function readStanding(
  db: DbOrTx,
  input: { siteId: string; userId: string | null; email: string | null; ipHash: string | null; now: Date },
): Promise<Standing> {
  const targets = [
    input.userId ? eq(bans.userId, input.userId) : undefined,
    // An account's own address counts as much as one a guest types.
    input.userId ? sql`${bans.email} = (select lower(${users.email}) from ${users} where ${users.id} = ${input.userId})` : undefined,
    input.email ? eq(bans.email, input.email.trim().toLowerCase()) : undefined,
    input.ipHash ? eq(bans.ipHash, input.ipHash) : undefined,
  ].filter((t) => t !== undefined);
  const inForce = targets.length === 0 ? sql`false` : and(
    eq(bans.siteId, input.siteId), isNull(bans.liftedAt), or(...targets), or(isNull(bans.until), gt(bans.until, sql`${input.now.toISOString()}::timestamptz`)),
  );
  const member = and(eq(siteMembers.siteId, input.siteId), input.userId ? eq(siteMembers.userId, input.userId) : sql`false`);
  const [row] = await db.select({
    role: sql<SiteRole | null>`(select ${siteMembers.role} from ${siteMembers} where ${member})`,
    trusted: sql<boolean | null>`(select ${siteMembers.trusted} from ${siteMembers} where ${member})`,
    bans: sql<Array<{ kind: keyof typeof STRENGTH; until: string | null }>>`coalesce((select json_agg(json_build_object('kind', ${bans.kind}, 'until', ${bans.until})) from ${bans} where ${inForce}), '[]'::json)`,
  }).from(sql`(select 1) as one`);
  const strongest = row.bans.sort((a, b) => STRENGTH[b.kind] - STRENGTH[a.kind])[0];
  return {
    role: row.role ?? null,
    trusted: row.trusted ?? false,
    ban: strongest ? { kind: strongest.kind, until: strongest.until ? new Date(strongest.until) : null } : null,
  };
}
