import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, type SQL } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { GuestSession } from '../../shared/api.js';
import type { DbOrTx } from '../db/index.js';
import { sessions, users } from '../db/schema.js';
import type { Actor, Caller, Deps } from '../deps.js';
import type { EventBus } from '../events.js';
import { AuthRequired, Forbidden, NameTaken, SignInRequired, Unauthorized } from '../errors.js';
import { nameBelongsToMember, nameKey } from './names.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { cleanName } from '../text.js';
import { scopeAllows, type SessionAction } from './policy.js';

const GUEST_SESSION_DAYS = 365;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Issues a bearer token; only its hash is stored. */
export async function createSession(
  db: DbOrTx,
  input: { userId: string; siteId: string | null; scope: 'embed' | 'full'; now: Date; days: number; ssoPayloadHash?: string },
): Promise<GuestSession> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(input.now.getTime() + input.days * 86_400_000);
  await db.insert(sessions).values({
    userId: input.userId, siteId: input.siteId, tokenHash: hashToken(token), scope: input.scope, expiresAt, ssoPayloadHash: input.ssoPayloadHash,
  });
  return { token, expiresAt: expiresAt.toISOString(), userId: input.userId };
}

/**
 * A guest is a real identity held only by the widget's token, valid on the one site it was
 * made for: it owns the guest's comments (edit and delete) and votes, and can later be
 * attached to an account.
 */
async function createGuest(
  db: DbOrTx,
  input: { siteId: string; name: string; email?: string | null; now: Date },
): Promise<{ actor: Actor; session: GuestSession }> {
  const name = cleanName(input.name);
  if (await nameBelongsToMember(db, input.siteId, name)) throw new NameTaken();
  const [user] = await db
    .insert(users)
    .values({ displayName: name, nameKey: nameKey(name), email: input.email ?? null, isGuest: true })
    .returning({ id: users.id });
  const session = await createSession(db, { userId: user.id, siteId: input.siteId, scope: 'embed', now: input.now, days: GUEST_SESSION_DAYS });
  return { actor: { userId: user.id, displayName: name, isGuest: true, scope: 'embed', siteId: input.siteId }, session };
}

interface CachedSession {
  actor: Actor;
  expiresAt: Date;
}

/** Resolved sessions by token hash: every authenticated request needs one, and they rarely change. */
export type SessionCache = LRUCache<string, CachedSession>;

/**
 * How long a process trusts a session it has resolved. Revocation drops it at once in this
 * process (session.revoked); another process sees it within this long at most. A renamed
 * reader's new name also reaches their next comment within it.
 */
const SESSION_CACHE_MS = 60_000;

export function createSessionCache(events: EventBus): SessionCache {
  const cache: SessionCache = new LRUCache({ max: 50_000, ttl: SESSION_CACHE_MS });
  events.on('session.revoked', ({ tokenHash }) => { cache.delete(tokenHash); });
  return cache;
}

/** The actor behind a bearer token; an unknown or expired token is refused, never ignored. */
export async function resolveSession(deps: Deps, token: string): Promise<Actor> {
  const tokenHash = hashToken(token);
  const now = deps.now();
  const cached = deps.sessions.get(tokenHash);
  if (cached && cached.expiresAt > now) return cached.actor;
  const [row] = await deps.db
    .select({
      userId: users.id, displayName: users.displayName, isGuest: users.isGuest, scope: sessions.scope, siteId: sessions.siteId,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now)))
    .limit(1);
  if (!row) throw new Unauthorized('This session is unknown or has expired.');
  const { expiresAt, ...actor } = row;
  deps.sessions.set(tokenHash, { actor, expiresAt });
  return actor;
}

export interface EndedSession { tokenHash: string; userId: string }

/**
 * Ends the sessions `which` selects, in `db` (a transaction, possibly): their rows go now;
 * `announce` (after commit) tells every process and socket to drop them.
 */
export async function endSessions(db: DbOrTx, which: SQL): Promise<EndedSession[]> {
  return db.delete(sessions).where(which).returning({ tokenHash: sessions.tokenHash, userId: sessions.userId });
}

export function announceEndedSessions(events: EventBus, ended: EndedSession[]): void {
  for (const session of ended) events.emit('session.revoked', session);
}

/**
 * Ends a session: its token is refused from now on, by every request this process serves
 * (the cached session goes with the row).
 */
export async function revokeSession(deps: Deps, token: string): Promise<{ revoked: boolean }> {
  const tokenHash = hashToken(token);
  const gone = await deps.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).returning({ userId: sessions.userId });
  // Dropped even when no row was found: a cached session must not outlive its row.
  deps.events.emit('session.revoked', { tokenHash, userId: gone[0]?.userId ?? null });
  return { revoked: gone.length > 0 };
}

export interface SiteOfTarget {
  id: string;
  allowedOrigins: string[];
  enabled: boolean;
}

/**
 * Whether the caller may act on (or read) something of this site: a page of another site
 * (its Origin) and a session issued for another site both stop here, whatever the target.
 * Parley's own origin is not a page of any site but Parley's own.
 */
export function assertCallerOnSite(caller: Caller, site: SiteOfTarget, ownOrigin?: string): void {
  if (!site.enabled) throw new Forbidden('This site does not serve comments.');
  if (caller.origin && caller.origin !== ownOrigin && !site.allowedOrigins.includes(caller.origin)) {
    throw new Forbidden(`${caller.origin} is not an origin of this site.`);
  }
  if (caller.actor?.siteId && caller.actor.siteId !== site.id) {
    throw new Forbidden('This session was issued for another site.');
  }
}

/** The caller's actor for an action that needs one; refuses a session whose scope does not cover it. */
export function requireActor(caller: Caller, action: SessionAction, message = 'Sign in or give your name first.'): Actor {
  if (!caller.actor) throw new AuthRequired(message);
  if (!scopeAllows(caller.actor.scope, action)) throw new Forbidden('This session cannot do that here; use Parley\'s own pages.');
  return caller.actor;
}

/**
 * Counts a new guest against its IP address's allowance, before the write's transaction (the
 * counters may live in the same database, and the transaction holds row locks meanwhile).
 */
export async function consumeGuestAllowance(deps: Deps, caller: Caller, willCreateGuest: boolean): Promise<void> {
  if (!caller.actor && willCreateGuest) await deps.limits.consume('guest', limitKeys(hashIp(deps.secret, caller.ip), null));
}

/**
 * The reader's actor for a write that may come from a new reader: one without a session
 * becomes a guest of this site in the same transaction as the write, so a refused write leaves
 * no guest behind, and nobody becomes a guest without writing something.
 */
export async function actorOrNewGuest(
  deps: Deps,
  tx: DbOrTx,
  input: {
    caller: Caller;
    action: SessionAction;
    site: { id: string; guestsAllowed: boolean };
    author?: { name: string; email?: string | null };
    /** What a reader without a session who gave no name is told. */
    missingAuthor?: () => Error;
  },
): Promise<{ actor: Actor; session?: GuestSession }> {
  const { caller, site } = input;
  if (caller.actor) {
    const actor = requireActor(caller, input.action);
    // A guest token from before the site closed to guests is no sign-in.
    if (!site.guestsAllowed && actor.isGuest) throw new SignInRequired();
    return { actor };
  }
  if (!site.guestsAllowed) throw new SignInRequired();
  if (!input.author) throw input.missingAuthor?.() ?? new AuthRequired('Sign in or give your name first.', { author: ['name is required'] });
  return createGuest(tx, { siteId: site.id, name: input.author.name, email: input.author.email, now: deps.now() });
}
