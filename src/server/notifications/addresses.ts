import { createHash } from 'node:crypto';
import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import type { DbOrTx } from '../db/index.js';
import { mailSuppressions } from '../db/schema.js';

/** Addresses are compared lower-cased and trimmed. */
export function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Suppressions keep only this: a leaked table lists no addresses. */
export function emailHash(email: string): string {
  return createHash('sha256').update(normalEmail(email)).digest('hex');
}

/** Which of these addresses asked for no more mail, from Parley or from this thread: one query. */
export async function suppressedAmong(db: DbOrTx, emails: string[], threadId: string): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const byHash = new Map(emails.map((e) => [emailHash(e), e]));
  const rows = await db.select({ hash: mailSuppressions.emailHash }).from(mailSuppressions)
    .where(and(inArray(mailSuppressions.emailHash, [...byHash.keys()]), or(isNull(mailSuppressions.threadId), eq(mailSuppressions.threadId, threadId))));
  return new Set(rows.map((r) => byHash.get(r.hash)!));
}

/** Whether the address asked for no more mail, from Parley or from this thread. */
export async function isSuppressed(db: DbOrTx, email: string, threadId: string | null): Promise<boolean> {
  const hash = emailHash(email);
  const rows = await db.select({ hash: mailSuppressions.emailHash }).from(mailSuppressions)
    .where(and(eq(mailSuppressions.emailHash, hash), threadId ? or(isNull(mailSuppressions.threadId), eq(mailSuppressions.threadId, threadId)) : isNull(mailSuppressions.threadId)))
    .limit(1);
  return rows.length > 0;
}
