/**
 * Links in notification mail that work without signing in: unsubscribe (reusable: a reader may
 * click twice, and RFC 8058 one-click POSTs come from mail providers) and confirm an address
 * (used once). Tokens are 256 random bits; only their SHA-256 is stored.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { hashToken } from '../auth/service.js';
import type { DbOrTx } from '../db/index.js';
import { mailLinks } from '../db/schema.js';

export type MailLinkPurpose = (typeof mailLinks.$inferSelect)['purpose'];
export type MailLink = typeof mailLinks.$inferSelect;

const LIFETIME_DAYS: Record<MailLinkPurpose, number> = { unsubscribe: 365, 'confirm-guest': 7, 'confirm-subscription': 7 };

export async function issueMailLink(
  db: DbOrTx,
  input: { purpose: MailLinkPurpose; email: string; siteId: string; threadId?: string | null; userId?: string | null; subscriptionId?: string | null; now: Date },
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.insert(mailLinks).values({
    tokenHash: hashToken(token), purpose: input.purpose, email: input.email, siteId: input.siteId,
    threadId: input.threadId ?? null, userId: input.userId ?? null, subscriptionId: input.subscriptionId ?? null,
    expiresAt: new Date(input.now.getTime() + LIFETIME_DAYS[input.purpose] * 86_400_000),
  });
  return token;
}

/** A link that still works (unused, for a confirmation), or null. */
export async function readMailLink(db: DbOrTx, purpose: MailLinkPurpose, token: string, now: Date): Promise<MailLink | null> {
  const [row] = await db.select().from(mailLinks)
    .where(and(eq(mailLinks.tokenHash, hashToken(token)), eq(mailLinks.purpose, purpose), gt(mailLinks.expiresAt, now)))
    .limit(1);
  if (!row || (purpose !== 'unsubscribe' && row.usedAt)) return null;
  return row;
}

/** Uses a confirmation link once: of two requests racing with it, one wins. */
export async function spendMailLink(db: DbOrTx, purpose: MailLinkPurpose, token: string, now: Date): Promise<MailLink | null> {
  const [row] = await db.update(mailLinks).set({ usedAt: now })
    .where(and(eq(mailLinks.tokenHash, hashToken(token)), eq(mailLinks.purpose, purpose), gt(mailLinks.expiresAt, now), isNull(mailLinks.usedAt)))
    .returning();
  return row ?? null;
}
