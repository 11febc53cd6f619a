import { remove as foldLookalikes } from 'confusables';
import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/index.js';
import { siteMembers, users } from '../db/schema.js';

/**
 * A display name folded for comparing people, not for showing: case, accents, width and
 * lookalike letters (Cyrillic "а" for Latin "a") are ignored, and runs of spaces and
 * punctuation count as one space. Two names with the same key read as the same name.
 */
export function nameKey(name: string): string {
  const unaccented = name.normalize('NFKD').replace(/\p{M}/gu, '');
  return foldLookalikes(unaccented).toLowerCase().replace(/[\s\p{P}\p{S}_]+/gu, ' ').trim();
}

/** Whether a name is taken by a member (or staff) of the site, lookalikes included: guests may not use it. */
export async function nameBelongsToMember(db: DbOrTx, siteId: string, name: string): Promise<boolean> {
  const key = nameKey(name);
  if (!key) return false;
  const rows = await db.select({ one: sql`1` }).from(siteMembers)
    .innerJoin(users, eq(users.id, siteMembers.userId))
    .where(and(eq(siteMembers.siteId, siteId), eq(users.nameKey, key), eq(users.isGuest, false)))
    .limit(1);
  return rows.length > 0;
}
