/**
 * A site signs its own users in: the page carries a payload signed with the site's SSO secret.
 * Two forms: Disqus's `remote_auth_s3` ("<base64 JSON> <hex HMAC-SHA1> <unix timestamp>", the
 * HMAC over "<base64 JSON> <timestamp>"), unchanged, and a JWT signed HS256.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import { errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { SignInResponse } from '../../shared/api.js';
import { transactional } from '../db/index.js';
import { identities, spentSsoPayloads, users } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { InvalidSso } from '../errors.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { getSiteBySlug } from '../sites/service.js';
import { cleanName } from '../text.js';
import { apiUserOf, startSession } from './accounts.js';
import { nameKey } from './names.js';
import { assertCallerOnSite } from './service.js';

/** A payload's timestamp may be this far from now, either way (Disqus's window). */
const WINDOW_SECONDS = 2 * 3600;

const ssoUser = z.object({
  id: z.union([z.string(), z.number()]).transform(String).pipe(z.string().min(1).max(200)),
  username: z.string().transform(cleanName).pipe(z.string().min(1).max(60)),
  email: z.email().max(254).optional().catch(undefined),
  avatar: z.string().max(2000).optional(),
  url: z.string().max(2000).optional(),
});
export type SsoUser = z.infer<typeof ssoUser>;

function refuse(why: string): never {
  throw new InvalidSso(`The site's sign-in could not be accepted: ${why}.`);
}

function userFrom(claims: unknown): SsoUser {
  const parsed = ssoUser.safeParse(claims);
  if (!parsed.success) refuse('it names no user (an id and a username are needed)');
  return parsed.data;
}

/** Disqus's form, checked as Disqus checks it. */
export function readDisqusPayload(payload: string, secret: string, now: Date): SsoUser {
  const parts = payload.trim().split(/\s+/);
  if (parts.length !== 3 || !/^[0-9a-f]{40}$/i.test(parts[1]) || !/^\d{1,12}$/.test(parts[2])) refuse('it is not "<base64> <signature> <timestamp>"');
  const [message, signature, timestamp] = parts;
  const expected = createHmac('sha1', secret).update(`${message} ${timestamp}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) refuse('the signature does not match');
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > WINDOW_SECONDS) refuse('its timestamp is more than two hours away');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(message, 'base64').toString('utf8'));
  } catch {
    refuse('its JSON does not parse');
  }
  return userFrom(claims);
}

/** The JWT form: HS256 only, `iat` required and within the window; `sub` may stand for `id`, `name` for `username`. */
export async function readJwtPayload(payload: string, secret: string, now: Date): Promise<SsoUser> {
  try {
    const { payload: claims } = await jwtVerify(payload, new TextEncoder().encode(secret), {
      algorithms: ['HS256'], currentDate: now, maxTokenAge: WINDOW_SECONDS, requiredClaims: ['iat'],
    });
    if (typeof claims.iat === 'number' && claims.iat - now.getTime() / 1000 > WINDOW_SECONDS) refuse('it was issued in the future');
    return userFrom({ ...claims, id: claims.id ?? claims.sub, username: claims.username ?? claims.name, avatar: claims.avatar ?? claims.picture });
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) refuse(err.code === 'ERR_JWT_EXPIRED' || err.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? 'it is too old' : 'the signature does not match');
    throw err;
  }
}

export function ssoPayloadHash(payload: string): string {
  return createHash('sha256').update(payload.trim()).digest('base64url');
}

/**
 * Signs a site's user in from the payload its page carries. The user is the site's own (the same
 * id on two sites is two people) and the session serves that site only. A payload whose session
 * was signed out is spent: replayed, it is refused.
 */
export async function signInWithSso(deps: Deps, caller: Caller, input: { site: string; payload: string }): Promise<SignInResponse> {
  await deps.limits.consume('signin', limitKeys(hashIp(deps.secret, caller.ip), null));
  const site = await getSiteBySlug(deps, input.site);
  assertCallerOnSite(caller, site);
  if (!site.ssoSecret) refuse('this site has no SSO secret');
  const now = deps.now();
  const person = input.payload.includes('.') && !input.payload.includes(' ')
    ? await readJwtPayload(input.payload, site.ssoSecret, now)
    : readDisqusPayload(input.payload, site.ssoSecret, now);
  const payloadHash = ssoPayloadHash(input.payload);
  const spent = await deps.db.select({ at: spentSsoPayloads.expiresAt }).from(spentSsoPayloads)
    .where(and(eq(spentSsoPayloads.payloadHash, payloadHash), gt(spentSsoPayloads.expiresAt, now))).limit(1);
  if (spent.length > 0) refuse('this sign-in was ended by signing out; the page must sign in anew');
  const userId = await upsertSsoUser(deps, site.id, person);
  const session = await startSession(deps, { userId, siteId: site.id, scope: 'embed', ssoPayloadHash: payloadHash });
  return { session, user: await apiUserOf(deps, userId, site.id) };
}

/** The site's user behind an SSO id, made on first sign-in; name and email follow the site's. */
async function upsertSsoUser(deps: Deps, siteId: string, person: SsoUser): Promise<string> {
  return transactional(deps.db, async (tx) => {
    const [known] = await tx.select({ userId: identities.userId }).from(identities)
      .where(and(eq(identities.provider, 'sso'), eq(identities.siteId, siteId), eq(identities.subject, person.id)));
    const fields = { displayName: person.username, nameKey: nameKey(person.username), email: person.email ?? null };
    if (known) {
      await tx.update(users).set(fields).where(eq(users.id, known.userId));
      return known.userId;
    }
    const [user] = await tx.insert(users).values({ ...fields, emailVerifiedAt: null }).returning({ id: users.id });
    const [identity] = await tx.insert(identities).values({ userId: user.id, provider: 'sso', siteId, subject: person.id })
      .onConflictDoNothing().returning({ userId: identities.userId });
    if (identity) return identity.userId;
    // Another first sign-in of the same person won the race: theirs is the user.
    await tx.delete(users).where(eq(users.id, user.id));
    const [winner] = await tx.select({ userId: identities.userId }).from(identities)
      .where(and(eq(identities.provider, 'sso'), eq(identities.siteId, siteId), eq(identities.subject, person.id)));
    return winner.userId;
  });
}
