/**
 * Sending notification mail, once. A delivery's row is locked while its mail goes out and is
 * marked sent in the same transaction: a second worker with the same job (its first holder taken
 * for dead) waits on the lock and then finds it sent; a process killed before the server
 * accepted the mail leaves the row unsent (the lock goes with its connection) and the job is
 * retried. Only a process killed in the instant between the server's acceptance and the commit
 * can send a mail twice; its stable Message-ID lets mail clients fold the copies.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../db/index.js';
import { comments, mailDeliveries, sites, threads } from '../db/schema.js';
import type { Deps } from '../deps.js';
import type { MailMessage } from '../mail/mailer.js';
import type { Job } from '../jobs/runner.js';
import { QUEUES } from '../jobs/queue.js';
import { isSuppressed } from './addresses.js';
import { issueMailLink } from './links.js';
import { confirmMail, digestMail, moderationMail, noticeMail, type DigestEntry, type MailComment, type NoticeKind, type Unsubscribe } from './mails.js';
import { isPublished, stillWaits } from './policy.js';

type Delivery = typeof mailDeliveries.$inferSelect;

/** A digest carries at most this many items; more wait for the next. */
const DIGEST_MAX = 100;

export class MailNotSent extends Error {}

function messageId(deps: Deps, id: string): string {
  return `<${id}@${new URL(deps.publicUrl).hostname}>`;
}

async function commentFor(deps: Deps, tx: Tx, commentId: string) {
  const [row] = await tx.select({ comment: comments, thread: threads, site: sites }).from(comments)
    .innerJoin(threads, eq(threads.id, comments.threadId)).innerJoin(sites, eq(sites.id, comments.siteId))
    .where(eq(comments.id, commentId)).limit(1);
  if (!row) return null;
  const { comment, thread, site } = row;
  const base = thread.url ?? deps.publicUrl;
  const mail: MailComment = {
    id: comment.id, authorName: comment.authorName, bodySource: comment.bodySource, bodyHtml: comment.bodyHtml,
    permalink: `${base.split('#')[0]}#comment-${comment.id}`, threadTitle: thread.title ?? thread.key,
  };
  return { comment, thread, site, mail };
}

async function unsubscribeLinks(deps: Deps, tx: Tx, d: Pick<Delivery, 'email' | 'siteId' | 'threadId' | 'userId'>, scope: 'thread' | 'all' | 'alerts'): Promise<Unsubscribe> {
  const token = await issueMailLink(tx, { purpose: 'unsubscribe', email: d.email, siteId: d.siteId, threadId: d.threadId, userId: d.userId, now: deps.now() });
  const page = `${deps.publicUrl}/unsubscribe/${token}`;
  return { page, oneClick: `${page}?scope=${scope}` };
}

/** The mail a delivery sends now, or why it no longer should. */
async function compose(deps: Deps, tx: Tx, d: Delivery): Promise<MailMessage | { skip: string }> {
  const id = messageId(deps, d.id);
  if (d.kind === 'confirm') {
    const purpose = (d.data as { purpose?: string } | null)?.purpose === 'confirm-subscription' ? 'confirm-subscription' : 'confirm-guest';
    const subscriptionId = (d.data as { subscriptionId?: string } | null)?.subscriptionId ?? null;
    const token = await issueMailLink(tx, { purpose, email: d.email, siteId: d.siteId, threadId: d.threadId, userId: d.userId, subscriptionId, now: deps.now() });
    const [site] = await tx.select({ name: sites.name }).from(sites).where(eq(sites.id, d.siteId));
    const [thread] = d.threadId ? await tx.select({ title: threads.title, key: threads.key }).from(threads).where(eq(threads.id, d.threadId)) : [];
    return confirmMail({
      to: d.email, siteName: site?.name ?? 'Parley', what: purpose === 'confirm-guest' ? 'replies' : 'thread',
      threadTitle: thread ? thread.title ?? thread.key : null, link: `${deps.publicUrl}/notifications/confirm/${token}`, messageId: id,
    });
  }
  const found = d.commentId ? await commentFor(deps, tx, d.commentId) : null;
  if (!found) return { skip: 'the comment is gone' };
  if (d.kind === 'moderation') {
    const reason = (d.data as { reason?: string } | null)?.reason ?? 'pending';
    if (!stillWaits(found.comment, reason)) return { skip: 'a moderator decided already' };
    if (await isSuppressed(tx, d.email, null)) return { skip: 'unsubscribed' };
    return moderationMail({
      to: d.email, siteName: found.site.name, reason, comment: found.mail, messageId: id,
      queueLink: `${deps.publicUrl}/admin/${encodeURIComponent(found.site.slug)}?queue=${reason === 'flagged' ? 'flagged' : 'pending'}`,
      unsubscribe: await unsubscribeLinks(deps, tx, d, 'alerts'),
    });
  }
  if (!isPublished(found.comment)) return { skip: 'the comment is no longer published' };
  if (await isSuppressed(tx, d.email, d.threadId)) return { skip: 'unsubscribed' };
  return noticeMail({ to: d.email, kind: d.kind as NoticeKind, comment: found.mail, messageId: id, unsubscribe: await unsubscribeLinks(deps, tx, d, 'thread') });
}

/** An SMTP server's refusal often quotes the address: the job's log keeps the reason, not the address. */
function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>"'@]+@[^\s<>"'@]+/g, '<address>');
}

/** Sends while the caller's transaction holds the rows; a refusal becomes the job's failure (and retry). */
async function sendLocked(deps: Deps, message: MailMessage): Promise<void> {
  try {
    await deps.mailer.send(message);
  } catch (err) {
    throw new MailNotSent(withoutAddresses(err instanceof Error ? err.message : String(err)));
  }
}

export async function sendMailDelivery(deps: Deps, job: Job<{ deliveryId: string }>): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const [d] = await tx.select().from(mailDeliveries).where(eq(mailDeliveries.id, job.data.deliveryId)).for('update').limit(1);
    if (!d || d.status !== 'queued' || d.mode !== 'instant') return;
    const message = await compose(deps, tx, d);
    if ('skip' in message) {
      await tx.update(mailDeliveries).set({ status: 'skipped', note: message.skip }).where(eq(mailDeliveries.id, d.id));
      return;
    }
    // A refusal rolls back the links made for this mail; the job is retried.
    await sendLocked(deps, message);
    await tx.update(mailDeliveries).set({ status: 'sent', sentAt: deps.now(), attempts: d.attempts + 1, note: null }).where(eq(mailDeliveries.id, d.id));
  });
}

/** The digest job of one address and mode: every item waiting, in one mail. */
export async function sendDigest(deps: Deps, job: Job<{ email: string; mode: 'hourly' | 'daily' }>): Promise<void> {
  const { email, mode } = job.data;
  const more = await deps.db.transaction(async (tx) => {
    const items = await tx.select().from(mailDeliveries)
      .where(and(eq(mailDeliveries.email, email), eq(mailDeliveries.mode, mode), eq(mailDeliveries.status, 'queued')))
      .orderBy(mailDeliveries.createdAt).limit(DIGEST_MAX + 1).for('update', { skipLocked: true });
    if (items.length === 0) return false;
    const batch = items.slice(0, DIGEST_MAX);
    const entries: DigestEntry[] = [];
    const skipped: string[] = [];
    for (const item of batch) {
      const found = item.commentId ? await commentFor(deps, tx, item.commentId) : null;
      const reason = (item.data as { reason?: string } | null)?.reason ?? 'pending';
      const keep = found && (item.kind === 'moderation' ? stillWaits(found.comment, reason) : isPublished(found.comment) && !(await isSuppressed(tx, email, item.threadId)));
      if (!found || !keep) { skipped.push(item.id); continue; }
      entries.push(item.kind === 'moderation'
        ? { kind: 'moderation', comment: found.mail, reason, queueLink: `${deps.publicUrl}/admin/${encodeURIComponent(found.site.slug)}?queue=${reason === 'flagged' ? 'flagged' : 'pending'}` }
        : { kind: item.kind as NoticeKind, comment: found.mail });
    }
    if (skipped.length > 0) await tx.update(mailDeliveries).set({ status: 'skipped', note: 'no longer to be told' }).where(inArray(mailDeliveries.id, skipped));
    if (entries.length > 0) {
      const first = batch[0];
      const [digest] = await tx.insert(mailDeliveries).values({
        siteId: first.siteId, email, userId: first.userId, kind: 'digest', mode, status: 'queued', dedupeKey: `digest:${job.id}`, createdAt: deps.now(),
      }).onConflictDoNothing().returning();
      if (!digest) return false;
      const [site] = await tx.select({ name: sites.name }).from(sites).where(eq(sites.id, first.siteId));
      const message = digestMail({
        to: email, period: mode, siteName: site?.name ?? 'Parley', entries, messageId: messageId(deps, digest.id),
        unsubscribe: await unsubscribeLinks(deps, tx, { email, siteId: first.siteId, threadId: null, userId: first.userId }, 'all'),
      });
      await sendLocked(deps, message);
      const sentAt = deps.now();
      await tx.update(mailDeliveries).set({ status: 'sent', sentAt, attempts: 1 }).where(eq(mailDeliveries.id, digest.id));
      await tx.update(mailDeliveries).set({ status: 'sent', sentAt, digestId: digest.id })
        .where(inArray(mailDeliveries.id, batch.filter((i) => !skipped.includes(i.id)).map((i) => i.id)));
    }
    return items.length > DIGEST_MAX;
  });
  // A flood bigger than one digest: the rest goes in the next, right away.
  if (more) await deps.jobs.send(deps.db, QUEUES.digest, { email, mode }, { singletonKey: `${email}:${mode}` });
}
