/**
 * Readers' side of notifications: following a thread (signed in, or by an address that confirms
 * by a link first), the list of notices with its unread count, and the links in mail that work
 * without signing in (confirm, unsubscribe). Moderators choose their alerts here too.
 */
import { createHmac } from 'node:crypto';
import { and, desc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { transactional, type Tx } from '../db/index.js';
import { comments, mailSuppressions, moderatorAlerts, notifications, sites, threadSubscriptions, threads, users } from '../db/schema.js';
import { ownOrigin, type Caller, type Deps } from '../deps.js';
import { AuthRequired, BadRequest, Forbidden, NotFound, SignInRequired } from '../errors.js';
import { assertCallerOnSite } from '../auth/service.js';
import { QUEUES } from '../jobs/queue.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { requireModeratorOf } from '../moderation/access.js';
import { getSiteBySlug } from '../sites/service.js';
import { getThreadForCaller } from '../threads/service.js';
import { emailHash, normalEmail } from './addresses.js';
import { queueMail, type MailMode } from './deliveries.js';
import { readMailLink, spendMailLink } from './links.js';
import { confirmedAddress } from './recipients.js';

export interface SubscriptionView {
  threadId: string;
  subscribed: boolean;
  mode: MailMode | null;
  /** False while the address has not followed its confirmation link. */
  confirmed: boolean;
}

const none = (threadId: string): SubscriptionView => ({ threadId, subscribed: false, mode: null, confirmed: false });

/** Readers who follow: their own row, by session. */
async function ownSubscription(db: Deps['db'] | Tx, threadId: string, userId: string) {
  const [row] = await db.select().from(threadSubscriptions).where(and(eq(threadSubscriptions.threadId, threadId), eq(threadSubscriptions.userId, userId)));
  return row;
}

export async function getSubscription(deps: Deps, caller: Caller, threadId: string): Promise<SubscriptionView> {
  await getThreadForCaller(deps, caller, threadId);
  if (!caller.actor) return none(threadId);
  const row = await ownSubscription(deps.db, threadId, caller.actor.userId);
  return row ? { threadId, subscribed: true, mode: row.mode, confirmed: row.confirmedAt !== null } : none(threadId);
}

/** Asking again takes an address out of the thread's and Parley's unsubscribe lists: an explicit yes. */
async function clearSuppressions(tx: Tx, email: string, threadId: string | null): Promise<void> {
  await tx.delete(mailSuppressions).where(and(eq(mailSuppressions.emailHash, emailHash(email)),
    threadId ? or(isNull(mailSuppressions.threadId), eq(mailSuppressions.threadId, threadId)) : isNull(mailSuppressions.threadId)));
}

function recipientKey(deps: Deps, email: string): string {
  return `to:notify:${createHmac('sha256', deps.secret).update(email).digest('base64url')}`;
}

/** A confirmation asked for again this soon after the first is the same request (a double click, a retry): not mailed twice. */
const CONFIRMATION_RESEND_MS = 60_000;

/**
 * Follows a thread. A signed-in account with a verified address follows at once; an address
 * typed by a guest (or anyone without an account) gets a confirmation link first, and nothing
 * else is mailed there until it is followed.
 */
export async function subscribe(deps: Deps, caller: Caller, input: { threadId: string; email?: string; mode?: MailMode }): Promise<SubscriptionView> {
  const { thread, site } = await getThreadForCaller(deps, caller, input.threadId);
  const mode = input.mode ?? 'instant';
  const actor = caller.actor;
  if (actor && !actor.isGuest && input.email === undefined) {
    const [me] = await deps.db.select({ email: users.email, emailVerifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, actor.userId));
    const address = me && confirmedAddress(me);
    if (!address) throw new Forbidden('Verify your account\'s email address first, or give an address to confirm.');
    await transactional(deps.db, async (tx) => {
      await tx.insert(threadSubscriptions).values({ siteId: site.id, threadId: thread.id, userId: actor.userId, mode, confirmedAt: deps.now() })
        .onConflictDoUpdate({ target: [threadSubscriptions.threadId, threadSubscriptions.userId], targetWhere: sql`${threadSubscriptions.userId} is not null`, set: { mode, email: null, confirmedAt: deps.now() } });
      await clearSuppressions(tx, address, thread.id);
    });
    return { threadId: thread.id, subscribed: true, mode, confirmed: true };
  }
  if (!actor && !site.guestsAllowed) throw new SignInRequired();
  const given = input.email ? normalEmail(input.email) : null;
  const [guest] = actor?.isGuest ? await deps.db.select({ email: users.email, emailVerifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, actor.userId)) : [];
  const guestAddress = guest ? confirmedAddress(guest) : null;
  const email = given ?? guestAddress ?? (guest?.email ? normalEmail(guest.email) : null);
  if (!email) throw new BadRequest('Give the address to mail.', { email: ['required without a verified account'] });
  const confirmedNow = email === guestAddress;
  if (!confirmedNow) await deps.limits.consume('mail', [...limitKeys(hashIp(deps.secret, caller.ip), null), recipientKey(deps, email)]);
  return transactional(deps.db, async (tx, afterCommit) => {
    // Requests for one reader or address on one thread take turns: the second finds the first's row.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`subscribe:${thread.id}:${actor?.userId ?? email}`}))`);
    const values = { siteId: site.id, threadId: thread.id, userId: actor?.userId ?? null, email, mode, confirmedAt: confirmedNow ? deps.now() : null };
    const existing = actor
      ? await ownSubscription(tx, thread.id, actor.userId)
      : (await tx.select().from(threadSubscriptions).where(and(eq(threadSubscriptions.threadId, thread.id), isNull(threadSubscriptions.userId), eq(threadSubscriptions.email, email))))[0];
    // The same address again keeps its confirmation; a new address needs its own.
    const keepsConfirmation = existing?.confirmedAt && existing.email === email;
    const [row] = existing
      ? await tx.update(threadSubscriptions).set({ email, mode, confirmedAt: keepsConfirmation ? existing.confirmedAt : values.confirmedAt })
        .where(eq(threadSubscriptions.id, existing.id)).returning()
      : await tx.insert(threadSubscriptions).values(values).returning();
    if (row.confirmedAt) {
      await clearSuppressions(tx, email, thread.id);
    } else if (!existing || existing.createdAt.getTime() < deps.now().getTime() - CONFIRMATION_RESEND_MS) {
      const queued = await queueMail(deps, tx, {
        siteId: site.id, email, userId: actor?.userId ?? null, kind: 'confirm', threadId: thread.id, mode: 'instant',
        data: { purpose: 'confirm-subscription', subscriptionId: row.id }, dedupeKey: `confirm-sub:${row.id}:${deps.now().getTime()}`,
      });
      if (queued) afterCommit(() => deps.jobs.wake(QUEUES.mail));
    }
    return { threadId: thread.id, subscribed: true, mode: row.mode, confirmed: row.confirmedAt !== null };
  });
}

export async function unsubscribe(deps: Deps, caller: Caller, threadId: string): Promise<SubscriptionView> {
  await getThreadForCaller(deps, caller, threadId);
  if (!caller.actor) throw new AuthRequired('Unsubscribe with the link in any of its mails, or sign in.');
  await deps.db.delete(threadSubscriptions).where(and(eq(threadSubscriptions.threadId, threadId), eq(threadSubscriptions.userId, caller.actor.userId)));
  return none(threadId);
}

export interface NotificationItem {
  id: string;
  kind: 'reply' | 'mention' | 'subscription';
  read: boolean;
  createdAt: string;
  comment: { id: string; authorName: string; html: string; url: string | null };
  thread: { id: string; title: string | null; url: string | null };
}

const LIST_MAX = 30;

/**
 * The site a reader's notices are listed for: their session's, or the one named (an account's
 * session serves all); asked from one of that site's pages (or Parley's own), as every reader action is.
 */
async function siteOfCaller(deps: Deps, caller: Caller, slug: string | undefined): Promise<{ userId: string; siteId: string }> {
  const actor = caller.actor;
  if (!actor) throw new AuthRequired('Sign in to see your notifications.');
  if (!actor.siteId && !slug) throw new BadRequest('Name the site.', { site: ['required'] });
  const [site] = await deps.db.select({ id: sites.id, slug: sites.slug, enabled: sites.enabled, allowedOrigins: sites.allowedOrigins })
    .from(sites).where(actor.siteId ? eq(sites.id, actor.siteId) : eq(sites.slug, slug!));
  if (!site) throw new NotFound('Site');
  if (slug && site.slug !== slug) throw new Forbidden('This session was issued for another site.');
  assertCallerOnSite(caller, site, ownOrigin(deps));
  return { userId: actor.userId, siteId: site.id };
}

/** The newest notices of the reader on the site (still-published comments only), and how many are unread. */
export async function listNotifications(deps: Deps, caller: Caller, input: { site?: string }): Promise<{ items: NotificationItem[]; unread: number }> {
  const { userId, siteId } = await siteOfCaller(deps, caller, input.site);
  const visible = and(eq(notifications.userId, userId), eq(notifications.siteId, siteId), eq(comments.status, 'approved'));
  const rows = await deps.db.select({
    id: notifications.id, kind: notifications.kind, readAt: notifications.readAt, createdAt: notifications.createdAt,
    commentId: comments.id, authorName: comments.authorName, html: comments.bodyHtml,
    threadId: threads.id, title: threads.title, url: threads.url,
  }).from(notifications).innerJoin(comments, eq(comments.id, notifications.commentId)).innerJoin(threads, eq(threads.id, notifications.threadId))
    .where(visible).orderBy(desc(notifications.id)).limit(LIST_MAX);
  const [{ unread }] = await deps.db.select({ unread: sql<number>`count(*)::int` }).from(notifications)
    .innerJoin(comments, eq(comments.id, notifications.commentId)).where(and(visible, isNull(notifications.readAt)));
  return {
    unread,
    items: rows.map((r) => ({
      id: String(r.id), kind: r.kind, read: r.readAt !== null, createdAt: r.createdAt.toISOString(),
      comment: { id: r.commentId, authorName: r.authorName, html: r.html, url: r.url ? `${r.url.split('#')[0]}#comment-${r.commentId}` : null },
      thread: { id: r.threadId, title: r.title, url: r.url },
    })),
  };
}

/** Marks the reader's notices on the site read, up to `upTo` (all without it). */
export async function markNotificationsRead(deps: Deps, caller: Caller, input: { site?: string; upTo?: string }): Promise<{ unread: number }> {
  const { userId, siteId } = await siteOfCaller(deps, caller, input.site);
  await deps.db.update(notifications).set({ readAt: deps.now() }).where(and(
    eq(notifications.userId, userId), eq(notifications.siteId, siteId), isNull(notifications.readAt),
    input.upTo ? lte(notifications.id, Number(input.upTo)) : undefined,
  ));
  return listNotifications(deps, caller, { site: input.site }).then((r) => ({ unread: r.unread }));
}

/** What a confirmation link confirms, for its page (without using it: mail scanners open links). */
export async function describeConfirmation(deps: Deps, token: string): Promise<{ siteName: string; what: string } | null> {
  for (const purpose of ['confirm-guest', 'confirm-subscription'] as const) {
    const link = await readMailLink(deps.db, purpose, token, deps.now());
    if (!link) continue;
    const [site] = await deps.db.select({ name: sites.name }).from(sites).where(eq(sites.id, link.siteId));
    const [thread] = link.threadId ? await deps.db.select({ title: threads.title, key: threads.key }).from(threads).where(eq(threads.id, link.threadId)) : [];
    return {
      siteName: site?.name ?? 'Parley',
      what: purpose === 'confirm-guest' ? 'mail when someone replies to your comments' : `mail about new comments on "${thread?.title ?? thread?.key ?? 'this discussion'}"`,
    };
  }
  return null;
}

/** Uses a confirmation link (once): the guest's address, or the subscription, is confirmed. */
export async function confirmAddress(deps: Deps, token: string): Promise<boolean> {
  return transactional(deps.db, async (tx) => {
    const link = await spendMailLink(tx, 'confirm-guest', token, deps.now()) ?? await spendMailLink(tx, 'confirm-subscription', token, deps.now());
    if (!link) return false;
    if (link.purpose === 'confirm-guest' && link.userId) {
      await tx.update(users).set({ emailVerifiedAt: deps.now() })
        .where(and(eq(users.id, link.userId), eq(users.isGuest, true), sql`lower(${users.email}) = ${link.email}`));
    }
    if (link.purpose === 'confirm-subscription' && link.subscriptionId) {
      await tx.update(threadSubscriptions).set({ confirmedAt: deps.now() })
        .where(and(eq(threadSubscriptions.id, link.subscriptionId), eq(threadSubscriptions.email, link.email)));
    }
    await clearSuppressions(tx, link.email, link.threadId);
    return true;
  });
}

export type UnsubscribeScope = 'thread' | 'all' | 'alerts';

/** What an unsubscribe link stands for, for its page. */
export async function describeUnsubscribe(deps: Deps, token: string): Promise<{ threadTitle: string | null; siteName: string } | null> {
  const link = await readMailLink(deps.db, 'unsubscribe', token, deps.now());
  if (!link) return null;
  const [site] = await deps.db.select({ name: sites.name }).from(sites).where(eq(sites.id, link.siteId));
  const [thread] = link.threadId ? await deps.db.select({ title: threads.title, key: threads.key }).from(threads).where(eq(threads.id, link.threadId)) : [];
  return { siteName: site?.name ?? 'Parley', threadTitle: thread ? thread.title ?? thread.key : null };
}

/**
 * One click, no sign-in (RFC 8058): `thread` stops mail about the mail's thread, `all` every
 * notification mail to the address, `alerts` the moderator's alerts of that site. Doing it twice
 * changes nothing more.
 */
export async function unsubscribeByLink(deps: Deps, token: string, scope: UnsubscribeScope): Promise<boolean> {
  const link = await readMailLink(deps.db, 'unsubscribe', token, deps.now());
  if (!link) return false;
  await transactional(deps.db, async (tx) => {
    const threadId = scope === 'thread' ? link.threadId : null;
    if (scope === 'alerts') {
      if (link.userId) await tx.delete(moderatorAlerts).where(and(eq(moderatorAlerts.siteId, link.siteId), eq(moderatorAlerts.userId, link.userId)));
      return;
    }
    await tx.insert(mailSuppressions).values({ emailHash: emailHash(link.email), threadId, createdAt: deps.now() }).onConflictDoNothing();
    const theirs = or(eq(threadSubscriptions.email, link.email), link.userId ? eq(threadSubscriptions.userId, link.userId) : undefined);
    await tx.delete(threadSubscriptions).where(threadId ? and(eq(threadSubscriptions.threadId, threadId), theirs) : theirs);
  });
  return true;
}

/** A moderator's alerts on a site: at once, in an hourly or daily digest, or none. */
export async function setModeratorAlerts(deps: Deps, caller: Caller, input: { site: string; mode: MailMode | 'off' }): Promise<{ mode: MailMode | 'off' }> {
  const site = await getSiteBySlug(deps, input.site);
  // The moderation API's own check: the role on this very site, from no page or one of its own, never another site's token.
  const actor = await requireModeratorOf(deps, caller, site);
  if (input.mode === 'off') {
    await deps.db.delete(moderatorAlerts).where(and(eq(moderatorAlerts.siteId, site.id), eq(moderatorAlerts.userId, actor.userId)));
  } else {
    await deps.db.insert(moderatorAlerts).values({ siteId: site.id, userId: actor.userId, mode: input.mode })
      .onConflictDoUpdate({ target: [moderatorAlerts.siteId, moderatorAlerts.userId], set: { mode: input.mode } });
  }
  return { mode: input.mode };
}

export async function getModeratorAlerts(deps: Deps, caller: Caller, slug: string): Promise<{ mode: MailMode | 'off' }> {
  const site = await getSiteBySlug(deps, slug);
  const actor = await requireModeratorOf(deps, caller, site);
  const [row] = await deps.db.select({ mode: moderatorAlerts.mode }).from(moderatorAlerts).where(and(eq(moderatorAlerts.siteId, site.id), eq(moderatorAlerts.userId, actor.userId)));
  return { mode: row?.mode ?? 'off' };
}

