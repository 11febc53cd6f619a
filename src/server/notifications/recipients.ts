/**
 * Who is told of a comment that readers can now see: the author of the comment it answers, the
 * people it mentions, and the thread's followers. One notice per person (a reply outranks a
 * mention, which outranks following), never its own author.
 */
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Tx } from '../db/index.js';
import { comments, threadSubscriptions, users } from '../db/schema.js';
import type { CommentRow } from '../comments/serialize.js';
import { normalEmail } from './addresses.js';
import type { MailMode } from './deliveries.js';
import type { NoticeKind } from './mails.js';
import { findMentions } from './mentions.js';

export interface Recipient {
  kind: NoticeKind;
  /** In the widget's list, for a reader who has an identity here. */
  userId: string | null;
  /** Mail, where there is a confirmed address that wants it. */
  email: string | null;
  mode: MailMode;
}

const RANK: Record<NoticeKind, number> = { reply: 0, mention: 1, subscription: 2 };

/** Mention candidates: the thread's authors (at most this many, newest first). */
const MENTION_POOL = 500;

type UserRow = Pick<typeof users.$inferSelect, 'id' | 'email' | 'emailVerifiedAt' | 'isGuest' | 'notifyReplies' | 'notifyMentions'>;
const userColumns = {
  id: users.id, email: users.email, emailVerifiedAt: users.emailVerifiedAt, isGuest: users.isGuest,
  notifyReplies: users.notifyReplies, notifyMentions: users.notifyMentions,
};

/** A user's address for notices: a verified account address, or a guest's confirmed one. */
export function confirmedAddress(user: Pick<UserRow, 'email' | 'emailVerifiedAt'>): string | null {
  return user.email && user.emailVerifiedAt ? normalEmail(user.email) : null;
}

async function parentAuthor(tx: Tx, comment: CommentRow): Promise<UserRow | null> {
  if (!comment.parentId) return null;
  const [row] = await tx.select(userColumns).from(comments).innerJoin(users, eq(users.id, comments.authorId))
    .where(eq(comments.id, comment.parentId)).limit(1);
  return row ?? null;
}

async function mentioned(tx: Tx, comment: CommentRow): Promise<UserRow[]> {
  if (!comment.bodySource.includes('@')) return [];
  const pool = await tx.selectDistinctOn([comments.authorId], { userId: comments.authorId, name: comments.authorName })
    .from(comments)
    .where(and(eq(comments.threadId, comment.threadId), eq(comments.status, 'approved'), isNotNull(comments.authorId)))
    .orderBy(comments.authorId, sql`${comments.createdAt} desc`)
    .limit(MENTION_POOL);
  const ids = findMentions(comment.bodySource, pool.map((p) => ({ userId: p.userId!, name: p.name })));
  return ids.length === 0 ? [] : tx.select(userColumns).from(users).where(inArray(users.id, ids));
}

async function followers(tx: Tx, threadId: string) {
  return tx.select({
    userId: threadSubscriptions.userId, email: threadSubscriptions.email, mode: threadSubscriptions.mode,
    userEmail: users.email, userEmailVerifiedAt: users.emailVerifiedAt,
  }).from(threadSubscriptions).leftJoin(users, eq(users.id, threadSubscriptions.userId))
    .where(and(eq(threadSubscriptions.threadId, threadId), isNotNull(threadSubscriptions.confirmedAt)));
}

export async function recipientsOf(tx: Tx, comment: CommentRow): Promise<Recipient[]> {
  const author = comment.authorId
    ? (await tx.select(userColumns).from(users).where(eq(users.id, comment.authorId)))[0]
    : undefined;
  const authorAddresses = new Set([author && confirmedAddress(author), author?.email && normalEmail(author.email), comment.authorEmail && normalEmail(comment.authorEmail)].filter(Boolean));
  const candidates: Recipient[] = [];
  const parent = await parentAuthor(tx, comment);
  if (parent) candidates.push({ kind: 'reply', userId: parent.id, email: parent.notifyReplies ? confirmedAddress(parent) : null, mode: 'instant' });
  for (const user of await mentioned(tx, comment)) {
    candidates.push({ kind: 'mention', userId: user.id, email: user.notifyMentions ? confirmedAddress(user) : null, mode: 'instant' });
  }
  for (const f of await followers(tx, comment.threadId)) {
    const email = f.email ?? (f.userEmail && f.userEmailVerifiedAt ? normalEmail(f.userEmail) : null);
    candidates.push({ kind: 'subscription', userId: f.userId, email, mode: f.mode });
  }
  candidates.sort((a, b) => RANK[a.kind] - RANK[b.kind]);
  const seenUsers = new Set<string>();
  const seenAddresses = new Set<string>();
  const chosen: Recipient[] = [];
  for (const c of candidates) {
    if (c.userId && c.userId === comment.authorId) continue;
    const email = c.email && !authorAddresses.has(c.email) && !seenAddresses.has(c.email) ? c.email : null;
    const userId = c.userId && !seenUsers.has(c.userId) ? c.userId : null;
    if (!email && !userId) continue;
    if (email) seenAddresses.add(email);
    if (userId) seenUsers.add(userId);
    chosen.push({ ...c, email, userId });
  }
  return chosen;
}
