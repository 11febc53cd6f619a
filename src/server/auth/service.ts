import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import type { GuestSession } from '../../shared/api.js';
import type { DbOrTx } from '../db/index.js';
import { sessions, users } from '../db/schema.js';
import type { Actor, Deps } from '../deps.js';
import { Unauthorized } from '../errors.js';

const GUEST_SESSION_DAYS = 365;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Issues a bearer token; only its hash is stored. */
export async function createSession(
  db: DbOrTx,
  input: { userId: string; scope: 'embed' | 'full'; now: Date; days: number },
): Promise<GuestSession> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(input.now.getTime() + input.days * 86_400_000);
  await db.insert(sessions).values({ userId: input.userId, tokenHash: hashToken(token), scope: input.scope, expiresAt });
  return { token, expiresAt: expiresAt.toISOString(), userId: input.userId };
}

/**
 * A guest is a real identity held only by the widget's token: it owns the guest's comments
 * (edit and delete) and votes, and can later be attached to an account.
 */
export async function createGuest(
  db: DbOrTx,
  input: { name: string; email?: string | null; now: Date },
): Promise<{ actor: Actor; session: GuestSession }> {
  const [user] = await db
    .insert(users)
    .values({ displayName: input.name, email: input.email ?? null, isGuest: true })
    .returning({ id: users.id });
  const session = await createSession(db, { userId: user.id, scope: 'embed', now: input.now, days: GUEST_SESSION_DAYS });
  return { actor: { userId: user.id, displayName: input.name, isGuest: true, scope: 'embed' }, session };
}

/** The actor behind a bearer token; an unknown or expired token is refused, never ignored. */
export async function resolveSession(deps: Deps, token: string): Promise<Actor> {
  const [row] = await deps.db
    .select({ userId: users.id, displayName: users.displayName, isGuest: users.isGuest, scope: sessions.scope })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, deps.now())))
    .limit(1);
  if (!row) throw new Unauthorized('This session is unknown or has expired.');
  return row;
}

/**
 * The reader's actor for a write; a reader without a session becomes a guest in the same
 * transaction as the write, so a refused write leaves no guest behind.
 */
export async function actorOrNewGuest(
  tx: DbOrTx,
  input: { actor: Actor | null; guestsAllowed: boolean; name?: string; email?: string | null; now: Date },
): Promise<{ actor: Actor; session?: GuestSession }> {
  if (!input.guestsAllowed && (!input.actor || input.actor.isGuest)) {
    // A guest token from another site (or from before the site closed to guests) is no sign-in.
    throw new Unauthorized('This site asks readers to sign in first.');
  }
  if (input.actor) return { actor: input.actor };
  return createGuest(tx, { name: input.name ?? 'Guest', email: input.email, now: input.now });
}
