/**
 * A reader's own account: their name and mail choices, the comments they wrote as a guest
 * with their address, and leaving. Every change needs a full session (Parley's own pages):
 * an embed token, readable by any script of a host page, may do none of it.
 */
import { and, desc, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { announceEndedSessions, endSessions, requireActor } from '../auth/service.js';
import { nameKey } from '../auth/names.js';
import { transactional, type DbOrTx, type Tx } from '../db/index.js';
import { comments, sessions, sites, threads, users, votes } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { Forbidden, NotFound } from '../errors.js';
import { DELETED_AUTHOR, authorChanged, eraseComments, lockComments, recordAll, uncountVotes, type AnyChange } from './comment-changes.js';

export interface AccountView {
  id: string;
  displayName: string;
  email: string | null;
  emailVerified: boolean;
  notifyReplies: boolean;
  notifyMentions: boolean;
  /** Without one, the account signs in by link or provider, and a new password needs no current one. */
  hasPassword: boolean;
  memberSince: Date;
}

/** Comments written as a guest with the account's (verified) address, which the account may take. */
export interface GuestClaim {
  count: number;
  /** The newest few, so the reader sees what they would take before taking it. */
  preview: Array<{ id: string; excerpt: string; createdAt: Date; site: string; threadTitle: string | null; threadUrl: string | null }>;
}

const CLAIM_PREVIEW = 10;

/** The address guests' addresses are matched with: a verified one only, lower-cased as users_guest_email_idx is. */
function claimAddress(user: { accountEmail: string | null; email: string | null; emailVerifiedAt: Date | null }): string | null {
  if (!user.emailVerifiedAt) return null;
  return user.accountEmail ?? user.email?.trim().toLowerCase() ?? null;
}

function guestsWithAddress(address: string) {
  return and(eq(users.isGuest, true), sql`lower(${users.email}) = ${address}`);
}

async function loadAccount(db: DbOrTx, userId: string, lock = false) {
  const query = db.select().from(users).where(and(eq(users.id, userId), eq(users.isGuest, false)));
  const [row] = await (lock ? query.for('update') : query);
  if (!row) throw new NotFound('Account');
  return row;
}

/** What the account page shows. */
export async function getAccount(deps: Deps, caller: Caller): Promise<{ account: AccountView; claim: GuestClaim }> {
  const actor = requireActor(caller, 'manage-account');
  const user = await loadAccount(deps.db, actor.userId);
  const account: AccountView = {
    id: user.id, displayName: user.displayName, email: user.email, emailVerified: user.emailVerifiedAt !== null,
    notifyReplies: user.notifyReplies, notifyMentions: user.notifyMentions, hasPassword: user.passwordHash !== null,
    memberSince: user.createdAt,
  };
  const address = claimAddress(user);
  if (!address) return { account, claim: { count: 0, preview: [] } };
  const guests = deps.db.select({ id: users.id }).from(users).where(guestsWithAddress(address));
  const mine = and(inArray(comments.authorId, guests), ne(comments.status, 'deleted'));
  const [{ count }] = await deps.db.select({ count: sql<number>`count(*)::int` }).from(comments).where(mine);
  const preview = count === 0 ? [] : await deps.db
    .select({
      id: comments.id, excerpt: sql<string>`left(${comments.bodySource}, 160)`, createdAt: comments.createdAt,
      site: sites.name, threadTitle: threads.title, threadUrl: threads.url,
    })
    .from(comments).innerJoin(threads, eq(threads.id, comments.threadId)).innerJoin(sites, eq(sites.id, comments.siteId))
    .where(mine).orderBy(desc(comments.createdAt)).limit(CLAIM_PREVIEW);
  return { account, claim: { count, preview } };
}

/**
 * Sets the account's name (shown on the comments it writes from now on) and mail choices.
 * This process's resolved sessions carry the old name: they are dropped so the next comment
 * has the new one (another process's within auth/service.ts's cache time).
 */
export async function updateProfile(
  deps: Deps,
  caller: Caller,
  input: { displayName: string; notifyReplies: boolean; notifyMentions: boolean },
): Promise<void> {
  const actor = requireActor(caller, 'manage-account');
  const [row] = await deps.db.update(users)
    .set({ displayName: input.displayName, nameKey: nameKey(input.displayName), notifyReplies: input.notifyReplies, notifyMentions: input.notifyMentions })
    .where(and(eq(users.id, actor.userId), eq(users.isGuest, false)))
    .returning({ id: users.id });
  if (!row) throw new NotFound('Account');
  const held = await deps.db.select({ tokenHash: sessions.tokenHash }).from(sessions).where(eq(sessions.userId, actor.userId));
  for (const { tokenHash } of held) deps.sessions.delete(tokenHash);
}

/** Ends the users' sessions in the transaction; every process and socket drops them once it has committed. */
async function endUsersSessions(deps: Deps, tx: Tx, afterCommit: (fn: () => void) => void, userIds: string[]): Promise<void> {
  const ended = await endSessions(tx, inArray(sessions.userId, userIds));
  afterCommit(() => announceEndedSessions(deps.events, ended));
}

/**
 * Takes the comments (and votes) of every guest who gave the account's verified address: the
 * comments are signed with the account's name from then on, and the guests cease to exist
 * (their widget tokens stop working). A vote the account already has on the same comment
 * wins, and a vote on what becomes the account's own comment goes, as nobody votes on their own.
 */
export async function claimGuestComments(deps: Deps, caller: Caller): Promise<{ comments: number }> {
  const actor = requireActor(caller, 'manage-account');
  return transactional(deps.db, async (tx, afterCommit) => {
    const me = await loadAccount(tx, actor.userId, true);
    const address = claimAddress(me);
    if (!address) throw new Forbidden('Verify your email address first: only then can its guest comments be yours.');
    const guestIds = (await tx.select({ id: users.id }).from(users).where(guestsWithAddress(address)).orderBy(users.id).for('update')).map((g) => g.id);
    if (guestIds.length === 0) return { comments: 0 };
    // Every comment whose author or counters change: the guests' own, and those they voted on.
    const locked = await lockComments(tx, or(
      inArray(comments.authorId, guestIds),
      inArray(comments.id, tx.select({ id: votes.commentId }).from(votes).where(inArray(votes.userId, guestIds))),
    ));
    const willBeMine = new Set(locked.filter((c) => c.authorId === me.id || guestIds.includes(c.authorId ?? '')).map((c) => c.id));
    const guestVotes = await tx.select().from(votes).where(inArray(votes.userId, guestIds)).orderBy(votes.createdAt);
    const accountVotes = locked.length === 0 ? [] : await tx.select({ commentId: votes.commentId, value: votes.value }).from(votes)
      .where(and(eq(votes.userId, me.id), inArray(votes.commentId, locked.map((c) => c.id))));
    const voted = new Set(accountVotes.map((v) => v.commentId));
    const moved: typeof guestVotes = [];
    const dropped: Array<{ commentId: string; value: number }> = accountVotes.filter((v) => willBeMine.has(v.commentId));
    for (const vote of guestVotes) {
      if (voted.has(vote.commentId) || willBeMine.has(vote.commentId)) { dropped.push(vote); continue; }
      voted.add(vote.commentId);
      moved.push(vote);
    }
    await tx.delete(votes).where(inArray(votes.userId, guestIds));
    if (accountVotes.some((v) => willBeMine.has(v.commentId))) {
      await tx.delete(votes).where(and(eq(votes.userId, me.id), inArray(votes.commentId, [...willBeMine])));
    }
    for (let i = 0; i < moved.length; i += 1_000) {
      await tx.insert(votes).values(moved.slice(i, i + 1_000).map((v) => ({ commentId: v.commentId, userId: me.id, value: v.value, createdAt: v.createdAt })));
    }
    const changes: AnyChange[] = await uncountVotes(tx, dropped);
    const taken = await tx.update(comments)
      .set({ authorId: me.id, authorName: me.displayName, authorIsGuest: false, authorEmail: null })
      .where(inArray(comments.authorId, guestIds))
      .returning();
    for (const row of taken) {
      const change = authorChanged(row);
      if (change) changes.push(change);
    }
    await endUsersSessions(deps, tx, afterCommit, guestIds);
    await tx.delete(users).where(inArray(users.id, guestIds));
    await recordAll(deps, { tx, afterCommit }, changes);
    return { comments: taken.filter((c) => c.status !== 'deleted').length };
  });
}

export type DeletedComments = 'remove' | 'anonymize';

/**
 * Deletes the account, in one transaction. Its comments are either erased (as their author
 * deleting each would) or kept under "Deleted user" with nothing linking them to anyone; its
 * votes come off the counters; its sessions end on every process and socket.
 */
export async function deleteAccount(deps: Deps, caller: Caller, input: { comments: DeletedComments }): Promise<{ comments: number }> {
  const actor = requireActor(caller, 'manage-account');
  return transactional(deps.db, async (tx, afterCommit) => {
    // Locking the user first holds off new comments and votes by them (each takes a key-share lock on it).
    const me = await loadAccount(tx, actor.userId, true);
    const locked = await lockComments(tx, or(
      eq(comments.authorId, me.id),
      inArray(comments.id, tx.select({ id: votes.commentId }).from(votes).where(eq(votes.userId, me.id))),
    ));
    const own = locked.filter((c) => c.authorId === me.id);
    const changes: AnyChange[] = input.comments === 'remove' ? await eraseComments(tx, deps.now(), own) : [];
    // Erased or not, no comment keeps the name, address or link of the account.
    const kept = await tx.update(comments)
      .set({ authorId: null, authorName: DELETED_AUTHOR, authorEmail: null })
      .where(eq(comments.authorId, me.id))
      .returning();
    if (input.comments === 'anonymize') {
      for (const row of kept) {
        // A pending comment's only reader was its author, who is gone: nobody is told.
        if (row.status !== 'approved') continue;
        const change = authorChanged(row);
        if (change) changes.push(change);
      }
    }
    const myVotes = await tx.delete(votes).where(eq(votes.userId, me.id)).returning({ commentId: votes.commentId, value: votes.value });
    changes.push(...await uncountVotes(tx, myVotes));
    await endUsersSessions(deps, tx, afterCommit, [me.id]);
    await tx.delete(users).where(eq(users.id, me.id));
    await recordAll(deps, { tx, afterCommit }, changes);
    return { comments: own.filter((c) => c.status !== 'deleted').length };
  });
}
