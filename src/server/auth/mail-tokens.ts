import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../db/index.js';
import { mailTokens } from '../db/schema.js';
import { hashToken } from './service.js';

export type MailTokenPurpose = 'verify' | 'reset' | 'magic' | 'email';

/** How long each kind of link works: a sign-in link briefly, a verification for days. */
const LIFETIME_MS: Record<MailTokenPurpose, number> = { verify: 3 * 86_400_000, reset: 3_600_000, magic: 900_000, email: 86_400_000 };

/** A link's secret; only its hash is stored, so a leaked table opens no account. */
export async function issueMailToken(
  db: DbOrTx,
  input: { purpose: MailTokenPurpose; userId: string; returnTo: string | null; now: Date; email?: string },
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.insert(mailTokens).values({
    tokenHash: hashToken(token), purpose: input.purpose, userId: input.userId, returnTo: input.returnTo, email: input.email,
    expiresAt: new Date(input.now.getTime() + LIFETIME_MS[input.purpose]),
  });
  return token;
}

function usable(purpose: MailTokenPurpose, token: string, now: Date) {
  return and(eq(mailTokens.tokenHash, hashToken(token)), eq(mailTokens.purpose, purpose), isNull(mailTokens.usedAt), gt(mailTokens.expiresAt, now));
}

/**
 * Uses a link once: of two requests racing with the same link, one wins. Null for a link that
 * is unknown, expired, used, or meant for something else.
 */
export async function spendMailToken(
  db: DbOrTx,
  purpose: MailTokenPurpose,
  token: string,
  now: Date,
): Promise<{ userId: string; returnTo: string | null; email: string | null } | null> {
  const [row] = await db.update(mailTokens).set({ usedAt: now }).where(usable(purpose, token, now))
    .returning({ userId: mailTokens.userId, returnTo: mailTokens.returnTo, email: mailTokens.email });
  return row ?? null;
}

/** Whether a link would still work, without using it (the page that asks for a new password). */
export async function mailTokenUsable(db: DbOrTx, purpose: MailTokenPurpose, token: string, now: Date): Promise<boolean> {
  const rows = await db.select({ userId: mailTokens.userId }).from(mailTokens).where(usable(purpose, token, now)).limit(1);
  return rows.length > 0;
}
