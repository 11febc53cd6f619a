/**
 * The outbox's consumer: one recorded event (outbox.ts) becomes, in one transaction, the notices
 * and mails it causes and its webhook deliveries, each with its job. Everything it writes has a
 * dedupe key taken from the event, so a fan-out that runs twice (a retry, a worker that died
 * after committing) writes nothing the second time.
 */
import { and, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { transactional, type DbOrTx, type Tx } from '../db/index.js';
import { comments, moderatorAlerts, notifications, siteMembers, users } from '../db/schema.js';
import type { CommentRow } from '../comments/serialize.js';
import type { Deps } from '../deps.js';
import { QUEUES } from '../jobs/queue.js';
import type { RecordedEvent } from '../outbox.js';
import { queueWebhookDeliveries } from '../webhooks/service.js';
import { isSuppressed, normalEmail, suppressedAmong } from './addresses.js';
import { modesWithinLimit, queueMail, queueMails } from './deliveries.js';
import { isPublished } from './policy.js';
import { recipientsOf } from './recipients.js';

export interface NotificationSettings {
  /** Instant notification mails one address gets per hour (RATE_LIMIT_NOTIFICATIONS_PER_HOUR). */
  perHour: number;
}

async function loadComment(tx: Tx, commentId: string): Promise<CommentRow | undefined> {
  const [row] = await tx.select().from(comments).where(eq(comments.id, commentId)).limit(1);
  return row;
}

/** Readers told of a comment that became visible to all: in the widget, and by mail. A fixed number of statements, whatever the audience. */
async function noticeReaders(deps: Deps, tx: Tx, comment: CommentRow, settings: NotificationSettings): Promise<{ users: string[]; mails: number }> {
  const recipients = await recipientsOf(tx, comment);
  const notices = recipients.filter((r) => r.userId).map((r) => ({
    userId: r.userId!, siteId: comment.siteId, threadId: comment.threadId, commentId: comment.id, kind: r.kind, createdAt: deps.now(),
  }));
  const told = notices.length === 0 ? [] : (await tx.insert(notifications).values(notices).onConflictDoNothing().returning({ userId: notifications.userId })).map((r) => r.userId);
  const mailed = recipients.filter((r): r is typeof r & { email: string } => r.email !== null);
  const suppressed = await suppressedAmong(tx, mailed.map((r) => r.email), comment.threadId);
  const sendable = mailed.filter((r) => !suppressed.has(r.email));
  const modes = await modesWithinLimit(deps, tx, sendable.map((r) => ({ email: r.email, mode: r.mode })), settings.perHour);
  const mails = await queueMails(deps, tx, sendable.map((r) => ({
    siteId: comment.siteId, email: r.email, userId: r.userId, kind: r.kind, threadId: comment.threadId, commentId: comment.id,
    mode: modes.get(r.email) ?? r.mode, dedupeKey: `notice:${comment.id}:${r.email}`,
  })));
  return { users: told, mails };
}

/** Moderators who asked for alerts on the site, with a verified address. */
async function alertedModerators(tx: Tx, siteId: string) {
  return tx.select({ userId: users.id, email: users.email, mode: moderatorAlerts.mode }).from(moderatorAlerts)
    .innerJoin(siteMembers, and(eq(siteMembers.siteId, moderatorAlerts.siteId), eq(siteMembers.userId, moderatorAlerts.userId)))
    .innerJoin(users, eq(users.id, moderatorAlerts.userId))
    .where(and(eq(moderatorAlerts.siteId, siteId), inArray(siteMembers.role, ['admin', 'moderator']), isNotNull(users.email), isNotNull(users.emailVerifiedAt)));
}

async function alertModerators(deps: Deps, tx: Tx, comment: CommentRow, reason: 'pending' | 'flagged'): Promise<number> {
  let queued = 0;
  for (const m of await alertedModerators(tx, comment.siteId)) {
    const email = normalEmail(m.email!);
    if (m.userId === comment.authorId || await isSuppressed(tx, email, null)) continue;
    const added = await queueMail(deps, tx, {
      siteId: comment.siteId, email, userId: m.userId, kind: 'moderation', threadId: comment.threadId, commentId: comment.id, mode: m.mode,
      data: { reason }, dedupeKey: `moderation:${comment.id}:${email}`,
    });
    if (added) queued += 1;
  }
  return queued;
}

/**
 * A guest who gave an address is asked once (per address) to confirm it before any reply is
 * mailed there: nobody can sign a stranger up by typing their address.
 */
async function askGuestToConfirm(deps: Deps, tx: Tx, comment: CommentRow): Promise<number> {
  if (!comment.authorId || !comment.authorIsGuest) return 0;
  const [guest] = await tx.select({ email: users.email }).from(users)
    .where(and(eq(users.id, comment.authorId), eq(users.isGuest, true), isNull(users.emailVerifiedAt), isNotNull(users.email)));
  if (!guest?.email) return 0;
  const email = normalEmail(guest.email);
  if (await isSuppressed(tx, email, null)) return 0;
  const added = await queueMail(deps, tx, {
    siteId: comment.siteId, email, userId: comment.authorId, kind: 'confirm', threadId: comment.threadId, mode: 'instant',
    data: { purpose: 'confirm-guest' }, dedupeKey: `confirm-guest:${comment.authorId}:${email}`,
  });
  return added ? 1 : 0;
}

/** What one recorded event causes. Returns who got a notice in the widget (told live after commit). */
export async function fanOut(deps: Deps, event: RecordedEvent, eventKey: string, settings: NotificationSettings): Promise<void> {
  await transactional(deps.db, async (tx, afterCommit) => {
    let told: string[] = [];
    let mails = 0;
    let hooks = 0;
    const comment = 'commentId' in event ? await loadComment(tx, event.commentId) : undefined;
    if ('commentId' in event && !comment) return; // gone since (its thread or site was deleted)
    if (comment && event.type === 'comment.created') {
      mails += await askGuestToConfirm(deps, tx, comment);
      if (comment.status === 'pending' && !comment.shadowed) mails += await alertModerators(deps, tx, comment, 'pending');
    }
    const publishedNow = comment && isPublished(comment)
      && (event.type === 'comment.created' || (event.type === 'comment.moderated' && (event.action === 'approve' || event.action === 'restore')));
    if (publishedNow) {
      const result = await noticeReaders(deps, tx, comment, settings);
      told = result.users;
      mails += result.mails;
    }
    if (comment && (event.type === 'comment.flagged' || (event.type === 'comment.moderated' && event.action === 'hidden-by-flags'))) {
      mails += await alertModerators(deps, tx, comment, 'flagged');
    }
    hooks = await queueWebhookDeliveries(deps, tx, event, eventKey);
    const unread = await unreadCounts(tx, told, event.siteId);
    afterCommit(() => {
      if (mails > 0) { deps.jobs.wake(QUEUES.mail); deps.jobs.wake(QUEUES.digest); }
      if (hooks > 0) deps.jobs.wake(QUEUES.webhook);
      for (const userId of told) deps.events.emit('notification.created', { userId, siteId: event.siteId, unread: unread.get(userId) ?? 1 });
    });
  });
}

/** Readers' unread notices on a site (the widget's badge), in one query. */
async function unreadCounts(db: DbOrTx, userIds: string[], siteId: string): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.select({ userId: notifications.userId, count: sql<number>`count(*)::int` }).from(notifications)
    .where(and(inArray(notifications.userId, userIds), eq(notifications.siteId, siteId), isNull(notifications.readAt)))
    .groupBy(notifications.userId);
  return new Map(rows.map((r) => [r.userId, r.count]));
}

/** The number of a reader's unread notices on a site (the widget's badge). */
export async function unreadCount(db: DbOrTx, userId: string, siteId: string): Promise<number> {
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.siteId, siteId), isNull(notifications.readAt)));
  return count;
}
