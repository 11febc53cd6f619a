import { createHmac } from 'node:crypto';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ApiSession, ApiUser } from '../../shared/api.js';
import { transactional, type DbOrTx } from '../db/index.js';
import { sessions, siteMembers, spentSsoPayloads, users } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { BadRequest, Conflict, EmailNotVerified, InvalidCredentials, NotFound } from '../errors.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { sendLater } from '../mail/mailer.js';
import { parse } from '../http/validate.js';
import { accountExistsMail, emailChangeMail, emailChangeNoticeMail, noAccountMail, resetMail, signInLinkMail, verifyMail } from '../mail/templates.js';
import { cleanName } from '../text.js';
import { issueMailToken, spendMailToken } from './mail-tokens.js';
import { nameKey } from './names.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { announceEndedSessions, createSession, endSessions, hashToken, requireActor, revokeSession } from './service.js';

/** What a sign-up, sign-in or account form may carry: checked once, at the edge and here. */
export const emailSchema = z.email().max(254).transform((v) => v.trim());
export const passwordSchema = z.string().min(10, 'at least 10 characters').max(200);
export const displayNameSchema = z.string().transform(cleanName).pipe(z.string().min(1).max(60));

/** An account's sessions: handed to a widget, used by a script, or kept in Parley's cookie. */
const ACCOUNT_SESSION_DAYS = 30;

function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Keys a per-account counter without storing the address in the counter table. */
function accountKey(deps: Deps, email: string): string {
  return `acct:${createHmac('sha256', deps.secret).update(normalEmail(email)).digest('base64url')}`;
}

function link(deps: Deps, path: string, token: string): string {
  return `${deps.publicUrl}${path}?token=${token}`;
}

const newAccountSchema = z.object({ email: emailSchema, displayName: displayNameSchema, password: passwordSchema.nullish() });

export interface NewAccount {
  email: string;
  password?: string | null;
  displayName: string;
  verified?: boolean;
}

/** Adds a local account (the CLI, a sign-up); refuses an address that has one. */
export async function createAccount(deps: Deps, input: NewAccount, db: DbOrTx = deps.db): Promise<{ id: string; displayName: string }> {
  const { email, displayName, password } = parse(newAccountSchema, input, 'account');
  const passwordHash = password ? await hashPassword(password) : null;
  const [row] = await db.insert(users).values({
    displayName, nameKey: nameKey(displayName), email, accountEmail: normalEmail(email), passwordHash,
    emailVerifiedAt: input.verified ? deps.now() : null,
  }).onConflictDoNothing({ target: users.accountEmail }).returning({ id: users.id, displayName: users.displayName });
  if (!row) throw new Conflict('An account with this email exists already.');
  return row;
}

/** The local account using an address, if any (the CLI's lookup). */
export async function findAccountByEmail(deps: Deps, email: string): Promise<{ id: string; displayName: string } | undefined> {
  const account = await accountByEmail(deps.db, email);
  return account && { id: account.id, displayName: account.displayName };
}

async function accountByEmail(db: DbOrTx, email: string) {
  const [row] = await db.select().from(users).where(eq(users.accountEmail, normalEmail(email))).limit(1);
  return row;
}

/** Mails asked for count per address asking and per recipient: nobody floods an inbox through Parley. */
async function consumeMailAllowance(deps: Deps, caller: Caller, email: string): Promise<void> {
  await deps.limits.consume('mail', [...limitKeys(hashIp(deps.secret, caller.ip), null), `to:${accountKey(deps, email)}`]);
}

/**
 * Signs a reader up. The answer is the same whether or not the address has an account: a new
 * one gets a verification link, a known one a note saying so (with a way back in).
 */
export async function signUp(
  deps: Deps,
  caller: Caller,
  input: { email: string; password: string; displayName: string; returnTo: string | null },
): Promise<void> {
  await consumeMailAllowance(deps, caller, input.email);
  const existing = await accountByEmail(deps.db, input.email);
  if (existing) {
    const token = await issueMailToken(deps.db, { purpose: 'reset', userId: existing.id, returnTo: input.returnTo, now: deps.now() });
    sendLater(deps, accountExistsMail({ to: input.email, resetLink: link(deps, '/auth/reset', token) }));
    return;
  }
  const passwordHash = await hashPassword(input.password);
  const token = await transactional(deps.db, async (tx) => {
    const [user] = await tx.insert(users).values({
      displayName: input.displayName, nameKey: nameKey(input.displayName), email: input.email,
      accountEmail: normalEmail(input.email), passwordHash,
    }).onConflictDoNothing({ target: users.accountEmail }).returning({ id: users.id });
    // Two sign-ups racing with one address: the loser's reader gets the same answer.
    return user ? issueMailToken(tx, { purpose: 'verify', userId: user.id, returnTo: input.returnTo, now: deps.now() }) : null;
  });
  if (token) sendLater(deps, verifyMail({ to: input.email, name: input.displayName, link: link(deps, '/auth/verify', token) }));
}

const usedLink = () => new BadRequest('This link has expired or has been used already.');

/** Follows a verification link (once). */
export async function verifyEmail(deps: Deps, token: string): Promise<{ userId: string; returnTo: string | null }> {
  return transactional(deps.db, async (tx) => {
    const spent = await spendMailToken(tx, 'verify', token, deps.now());
    if (!spent) throw usedLink();
    await tx.update(users).set({ emailVerifiedAt: deps.now() }).where(and(eq(users.id, spent.userId), isNull(users.emailVerifiedAt)));
    return spent;
  });
}

export interface SignedInUser {
  id: string;
  displayName: string;
}

/**
 * Checks an email and password. Every attempt counts against the address asking and the account
 * named, before anything is checked: past the limit even the right password waits. A wrong
 * address and a wrong password get the same answer in the same time.
 */
export async function checkPassword(deps: Deps, caller: Caller, input: { email: string; password: string }): Promise<SignedInUser> {
  await deps.limits.consume('signin', [...limitKeys(hashIp(deps.secret, caller.ip), null), accountKey(deps, input.email)]);
  const account = await accountByEmail(deps.db, input.email);
  if (!(await verifyPassword(account?.passwordHash, input.password)) || !account) throw new InvalidCredentials();
  if (!account.emailVerifiedAt) throw new EmailNotVerified();
  return { id: account.id, displayName: account.displayName };
}

/**
 * Mails an account's address a one-time link (reset, sign-in); an address without an account
 * gets a note saying so instead, and the asker the same answer either way.
 */
async function mailAccountLink(
  deps: Deps,
  caller: Caller,
  input: { email: string; returnTo: string | null; purpose: 'reset' | 'magic' },
): Promise<void> {
  await consumeMailAllowance(deps, caller, input.email);
  const account = await accountByEmail(deps.db, input.email);
  if (!account) {
    sendLater(deps, noAccountMail({ to: input.email, signUpLink: `${deps.publicUrl}/auth/signup` }));
    return;
  }
  const token = await issueMailToken(deps.db, { purpose: input.purpose, userId: account.id, returnTo: input.returnTo, now: deps.now() });
  sendLater(deps, input.purpose === 'reset'
    ? resetMail({ to: input.email, link: link(deps, '/auth/reset', token) })
    : signInLinkMail({ to: input.email, link: link(deps, '/auth/link', token) }));
}

/** Mails a password reset link. */
export function requestPasswordReset(deps: Deps, caller: Caller, input: { email: string; returnTo: string | null }): Promise<void> {
  return mailAccountLink(deps, caller, { ...input, purpose: 'reset' });
}

/**
 * Sets a new password from a reset link (once). Following the link proves the mailbox, so the
 * address counts as verified; every session the account had ends, as whoever else held one
 * may be the reason for the reset.
 */
export async function resetPassword(deps: Deps, input: { token: string; password: string }): Promise<{ userId: string; returnTo: string | null }> {
  const passwordHash = await hashPassword(input.password);
  const spent = await transactional(deps.db, async (tx) => {
    const row = await spendMailToken(tx, 'reset', input.token, deps.now());
    if (!row) throw usedLink();
    await tx.update(users).set({ passwordHash, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` }).where(eq(users.id, row.userId));
    return row;
  });
  await endAllSessions(deps, spent.userId);
  return spent;
}

/** Mails a one-time sign-in link (no password needed). */
export function requestSignInLink(deps: Deps, caller: Caller, input: { email: string; returnTo: string | null }): Promise<void> {
  return mailAccountLink(deps, caller, { ...input, purpose: 'magic' });
}

/**
 * Moves the account to a new address once that address confirms by its link; the old address is
 * told. The password is asked again (a session left open on a shared computer must not be
 * enough), and an address that has an account gets the same answer, with a mail saying so.
 */
export async function requestEmailChange(deps: Deps, caller: Caller, input: { email: string; password: string }): Promise<void> {
  const actor = requireActor(caller, 'manage-account');
  await consumeMailAllowance(deps, caller, input.email);
  const [me] = await deps.db.select({ passwordHash: users.passwordHash, email: users.email }).from(users).where(eq(users.id, actor.userId));
  if (me?.passwordHash && !(await verifyPassword(me.passwordHash, input.password))) throw new InvalidCredentials();
  const taken = await accountByEmail(deps.db, input.email);
  if (taken) {
    if (taken.id !== actor.userId) {
      const token = await issueMailToken(deps.db, { purpose: 'reset', userId: taken.id, returnTo: null, now: deps.now() });
      sendLater(deps, accountExistsMail({ to: input.email, resetLink: link(deps, '/auth/reset', token) }));
    }
    return;
  }
  const token = await issueMailToken(deps.db, { purpose: 'email', userId: actor.userId, returnTo: '/account', now: deps.now(), email: input.email });
  sendLater(deps, emailChangeMail({ to: input.email, link: link(deps, '/auth/email', token) }));
  if (me?.email) sendLater(deps, emailChangeNoticeMail({ to: me.email, newAddress: input.email }));
}

/** Follows an address-change link (once): the account now signs in with the new address, verified. */
export async function confirmEmailChange(deps: Deps, token: string): Promise<void> {
  await transactional(deps.db, async (tx) => {
    const spent = await spendMailToken(tx, 'email', token, deps.now());
    if (!spent?.email) throw usedLink();
    const moved = await tx.update(users).set({ email: spent.email, accountEmail: normalEmail(spent.email), emailVerifiedAt: deps.now() })
      .where(and(eq(users.id, spent.userId), sql`not exists (select 1 from users other where other.account_email = ${normalEmail(spent.email)} and other.id <> ${spent.userId})`))
      .returning({ id: users.id });
    if (moved.length === 0) throw new Conflict('Another account took this address meanwhile.');
  }).catch((err: unknown) => {
    // Two accounts confirming the same address at once: the unique index decides, the loser is told.
    if ((err as { cause?: { code?: string } }).cause?.code === '23505') throw new Conflict('Another account took this address meanwhile.');
    throw err;
  });
}

/** Signs in with a mailed link (once); it proves the mailbox, so the address counts as verified. */
export async function signInWithLink(deps: Deps, token: string): Promise<{ user: SignedInUser; returnTo: string | null }> {
  return transactional(deps.db, async (tx) => {
    const spent = await spendMailToken(tx, 'magic', token, deps.now());
    if (!spent) throw usedLink();
    const [user] = await tx.update(users).set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
      .where(eq(users.id, spent.userId)).returning({ id: users.id, displayName: users.displayName });
    return { user, returnTo: spent.returnTo };
  });
}

/**
 * Opens a session for a signed-in user. One bound to a site (what a widget holds) makes the user
 * a member there: guests may then not take their name.
 */
export async function startSession(
  deps: Deps,
  input: { userId: string; siteId: string | null; scope: 'embed' | 'full'; ssoPayloadHash?: string },
): Promise<ApiSession> {
  return transactional(deps.db, async (tx) => {
    if (input.siteId) await tx.insert(siteMembers).values({ siteId: input.siteId, userId: input.userId }).onConflictDoNothing();
    return createSession(tx, { ...input, now: deps.now(), days: ACCOUNT_SESSION_DAYS });
  });
}

/** Ends every session of a user, on every process and socket. */
async function endAllSessions(deps: Deps, userId: string): Promise<number> {
  const ended = await endSessions(deps.db, eq(sessions.userId, userId));
  announceEndedSessions(deps.events, ended);
  return ended.length;
}

/** "Sign out everywhere": Parley's own pages only (an embed token may not end the account's other sessions). */
export async function signOutEverywhere(deps: Deps, caller: Caller): Promise<{ ended: number }> {
  const actor = requireActor(caller, 'manage-account');
  return { ended: await endAllSessions(deps, actor.userId) };
}

/** Changes the password of the signed-in account; the other sessions end. */
export async function changePassword(deps: Deps, caller: Caller, input: { current: string; next: string }): Promise<void> {
  const actor = requireActor(caller, 'manage-account');
  const [account] = await deps.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, actor.userId));
  if (account?.passwordHash && !(await verifyPassword(account.passwordHash, input.current))) throw new InvalidCredentials();
  await deps.db.update(users).set({ passwordHash: await hashPassword(input.next) }).where(eq(users.id, actor.userId));
  const others = await endSessions(deps.db, and(eq(sessions.userId, actor.userId), ne(sessions.tokenHash, caller.sessionTokenHash ?? ''))!);
  announceEndedSessions(deps.events, others);
}

/** An SSO payload's timestamp may be two hours either side of now: by then it is refused anyway. */
const SSO_PAYLOAD_LIFE_MS = 4 * 3_600_000;

/** Signs one session out; an SSO session's payload is spent with it, so it cannot sign in again. */
export async function signOut(deps: Deps, token: string): Promise<void> {
  const [row] = await deps.db.select({ ssoPayloadHash: sessions.ssoPayloadHash })
    .from(sessions).where(eq(sessions.tokenHash, hashToken(token)));
  if (row?.ssoPayloadHash) {
    await deps.db.insert(spentSsoPayloads)
      .values({ payloadHash: row.ssoPayloadHash, expiresAt: new Date(deps.now().getTime() + SSO_PAYLOAD_LIFE_MS) })
      .onConflictDoNothing();
  }
  await revokeSession(deps, token);
}

export function avatarUrl(deps: Deps, userId: string): string {
  return `${deps.publicUrl}/api/v1/users/${userId}/avatar.svg`;
}

/** A user as the API shows them, with their staff role on `siteId` if any. */
export async function apiUserOf(deps: Deps, userId: string, siteId: string | null): Promise<ApiUser> {
  const [row] = await deps.db.select({ id: users.id, displayName: users.displayName, isGuest: users.isGuest })
    .from(users).where(eq(users.id, userId));
  if (!row) throw new NotFound('User');
  const role = siteId ? await roleOn(deps.db, siteId, userId) : null;
  return { ...row, avatarUrl: avatarUrl(deps, row.id), role: role === 'member' ? null : role };
}

export async function roleOn(db: DbOrTx, siteId: string, userId: string): Promise<'admin' | 'moderator' | 'member' | null> {
  const [row] = await db.select({ role: siteMembers.role }).from(siteMembers)
    .where(and(eq(siteMembers.siteId, siteId), eq(siteMembers.userId, userId)));
  return row?.role ?? null;
}

/** Makes a user staff (or a plain member) of a site. */
export async function setRole(deps: Deps, input: { siteId: string; userId: string; role: 'admin' | 'moderator' | 'member' }): Promise<void> {
  await deps.db.insert(siteMembers).values(input)
    .onConflictDoUpdate({ target: [siteMembers.siteId, siteMembers.userId], set: { role: input.role } });
}
