/**
 * A site's webhooks: its admins register endpoints for chosen events; each event becomes one
 * delivery per endpoint (the exact body, kept, so "send again" sends the same bytes), sent and
 * retried by the webhook job (deliver.ts) with a log of every attempt.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { and, arrayContains, desc, eq, inArray, sql } from 'drizzle-orm';
import { roleOn } from '../auth/accounts.js';
import { requireActor } from '../auth/service.js';
import { transactional, type DbOrTx, type Tx } from '../db/index.js';
import { comments, sites, threads, users, webhookAttempts, webhookDeliveries, webhooks } from '../db/schema.js';
import type { Caller, Deps } from '../deps.js';
import { BadRequest, Forbidden, NotFound } from '../errors.js';
import { QUEUES } from '../jobs/queue.js';
import type { RecordedEvent } from '../outbox.js';
import { canManageSite } from '../sites/policy.js';
import { getSiteBySlug, type Site } from '../sites/service.js';
import { isPublicAddress, isWebhookEvent, urlProblem, WEBHOOK_EVENTS, type WebhookEvent } from './policy.js';

export interface WebhookInput {
  url: string;
  events: string[];
  /** Generated when absent; at least 16 characters when given. */
  secret?: string;
}

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  createdAt: string;
}

/** The site, when the caller is its admin (Parley's own pages: a full session). The CLI passes no caller. */
async function adminSite(deps: Deps, caller: Caller | null, slug: string): Promise<Site> {
  const site = await getSiteBySlug(deps, slug);
  if (caller) {
    const admin = requireActor(caller, 'manage-site');
    if (!canManageSite(await roleOn(deps.db, site.id, admin.userId))) throw new Forbidden('Only an admin of this site may manage its webhooks.');
  }
  return site;
}

/** Refuses endpoints on private or loopback addresses, by name too (what the name resolves to now). */
async function checkTarget(url: string, allowPrivate: boolean): Promise<void> {
  const problem = urlProblem(url, allowPrivate);
  if (problem) throw new BadRequest(problem, { url: [problem] });
  if (allowPrivate) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = await lookup(host, { all: true }).catch(() => []);
  if (addresses.length === 0) throw new BadRequest('The URL\'s host name does not resolve.', { url: ['unknown host'] });
  if (addresses.some((a) => !isPublicAddress(a.address))) throw new BadRequest('The URL points to a private or local address.', { url: ['private address'] });
}

function toView(row: typeof webhooks.$inferSelect): WebhookView {
  return { id: row.id, url: row.url, events: row.events, active: row.active, createdAt: row.createdAt.toISOString() };
}

export async function createWebhook(deps: Deps, caller: Caller | null, slug: string, input: WebhookInput): Promise<{ webhook: WebhookView; secret: string }> {
  const site = await adminSite(deps, caller, slug);
  const events = [...new Set(input.events.map((e) => e.trim()).filter(Boolean))];
  const unknown = events.filter((e) => !isWebhookEvent(e));
  if (events.length === 0 || unknown.length > 0) {
    const message = `Events must be among ${WEBHOOK_EVENTS.join(', ')}${unknown.length ? ` (not ${unknown.join(', ')})` : ''}.`;
    throw new BadRequest(message, { events: [message] });
  }
  if (input.secret !== undefined && input.secret.length < 16) throw new BadRequest('The secret needs 16 characters at least.', { secret: ['too short'] });
  await checkTarget(input.url, deps.notify.webhooksAllowPrivate);
  const secret = input.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
  const [row] = await deps.db.insert(webhooks).values({ siteId: site.id, url: input.url, events, secret, createdAt: deps.now() }).returning();
  return { webhook: toView(row), secret };
}

export async function deleteWebhook(deps: Deps, caller: Caller, slug: string, webhookId: string): Promise<void> {
  const site = await adminSite(deps, caller, slug);
  const gone = await deps.db.delete(webhooks).where(and(eq(webhooks.id, webhookId), eq(webhooks.siteId, site.id))).returning({ id: webhooks.id });
  if (gone.length === 0) throw new NotFound('Webhook');
}

export interface DeliveryView {
  id: string;
  webhookId: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  createdAt: string;
}

/** The site's webhooks and their latest deliveries (the log the admin sees). */
export async function listWebhooks(deps: Deps, caller: Caller, slug: string, limit = 50): Promise<{ site: Site; webhooks: WebhookView[]; deliveries: DeliveryView[] }> {
  const site = await adminSite(deps, caller, slug);
  const hooks = await deps.db.select().from(webhooks).where(eq(webhooks.siteId, site.id)).orderBy(webhooks.createdAt);
  const rows = hooks.length === 0 ? [] : await deps.db.select().from(webhookDeliveries)
    .where(inArray(webhookDeliveries.webhookId, hooks.map((h) => h.id))).orderBy(desc(webhookDeliveries.createdAt)).limit(limit);
  return {
    site,
    webhooks: hooks.map(toView),
    deliveries: rows.map((d) => ({
      id: d.id, webhookId: d.webhookId, event: d.event, status: d.status, attempts: d.attempts, lastStatusCode: d.lastStatusCode,
      lastError: d.lastError, lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null, createdAt: d.createdAt.toISOString(),
    })),
  };
}

/** Every attempt of one delivery, oldest first. */
export async function deliveryAttempts(deps: Deps, deliveryId: string) {
  return deps.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, deliveryId)).orderBy(webhookAttempts.id);
}

/** "Send again": the same body (and delivery id) goes out once more, freshly signed. */
export async function resendDelivery(deps: Deps, caller: Caller, slug: string, deliveryId: string): Promise<void> {
  const site = await adminSite(deps, caller, slug);
  await transactional(deps.db, async (tx, afterCommit) => {
    const [row] = await tx.update(webhookDeliveries).set({ status: 'pending' })
      .where(and(eq(webhookDeliveries.id, deliveryId), inArray(webhookDeliveries.webhookId, tx.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.siteId, site.id)))))
      .returning({ id: webhookDeliveries.id });
    if (!row) throw new NotFound('Delivery');
    await deps.jobs.send(tx, QUEUES.webhook, { deliveryId: row.id, resend: randomUUID() });
    afterCommit(() => deps.jobs.wake(QUEUES.webhook));
  });
}

/** The comment as a webhook receiver sees it: what moderators see, with its page's address. */
async function commentPayload(db: DbOrTx, commentId: string) {
  const [row] = await db.select({ comment: comments, thread: { id: threads.id, key: threads.key, url: threads.url, title: threads.title } })
    .from(comments).innerJoin(threads, eq(threads.id, comments.threadId)).where(eq(comments.id, commentId));
  if (!row) return null;
  const c = row.comment;
  const removed = c.status === 'deleted';
  return {
    comment: {
      id: c.id, threadId: c.threadId, parentId: c.parentId, status: c.status,
      author: { id: c.authorId, name: c.authorName, isGuest: c.authorIsGuest },
      body: removed ? '' : c.bodySource, html: removed ? '' : c.bodyHtml,
      createdAt: c.createdAt.toISOString(), editedAt: c.editedAt?.toISOString() ?? null,
      url: row.thread.url ? `${row.thread.url.split('#')[0]}#comment-${c.id}` : null,
    },
    thread: row.thread,
  };
}

async function eventData(tx: Tx, event: RecordedEvent): Promise<Record<string, unknown> | null> {
  switch (event.type) {
    case 'comment.created':
    case 'comment.updated':
    case 'comment.deleted':
      return commentPayload(tx, event.commentId);
    case 'comment.moderated': {
      const data = await commentPayload(tx, event.commentId);
      return data && { ...data, action: event.action, previousStatus: event.previousStatus, moderatorId: event.moderatorId };
    }
    case 'thread.created': {
      const [thread] = await tx.select({ id: threads.id, key: threads.key, url: threads.url, title: threads.title }).from(threads).where(eq(threads.id, event.threadId));
      return thread ? { thread } : null;
    }
    case 'user.banned': {
      const [user] = await tx.select({ id: users.id, name: users.displayName }).from(users).where(eq(users.id, event.userId));
      return user ? { user, kind: event.kind, until: event.until, moderatorId: event.moderatorId } : null;
    }
    default:
      return null;
  }
}

/**
 * One delivery per active endpoint of the site that wants this event, with its job: in the
 * fan-out's transaction, keyed by the event's job so that a fan-out run twice adds none.
 */
export async function queueWebhookDeliveries(deps: Deps, tx: Tx, event: RecordedEvent, eventKey: string): Promise<number> {
  if (!isWebhookEvent(event.type)) return 0;
  const hooks = await tx.select({ id: webhooks.id }).from(webhooks)
    .where(and(eq(webhooks.siteId, event.siteId), eq(webhooks.active, true), arrayContains(webhooks.events, [event.type])));
  if (hooks.length === 0) return 0;
  const data = await eventData(tx, event);
  if (!data) return 0;
  const [site] = await tx.select({ id: sites.id, slug: sites.slug }).from(sites).where(eq(sites.id, event.siteId));
  let queued = 0;
  for (const hook of hooks) {
    const id = randomUUID();
    const body = JSON.stringify({ id, event: event.type as WebhookEvent, createdAt: event.at, site, data });
    const [row] = await tx.insert(webhookDeliveries).values({ id, webhookId: hook.id, event: event.type, body, dedupeKey: eventKey, createdAt: deps.now() })
      .onConflictDoNothing().returning({ id: webhookDeliveries.id });
    if (!row) continue;
    await deps.jobs.send(tx, QUEUES.webhook, { deliveryId: row.id });
    queued += 1;
  }
  return queued;
}

/** For tests and the dashboard: deliveries still waiting. */
export async function pendingDeliveries(db: DbOrTx, webhookId: string): Promise<number> {
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.status, 'pending')));
  return count;
}
