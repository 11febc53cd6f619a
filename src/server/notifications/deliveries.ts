/**
 * Writing a mail to be sent: its mail_deliveries row (once per dedupe key, so a fan-out that runs
 * again adds nothing) and, in the same transaction, its job: the mail itself, or the digest of
 * its address and mode, due when the hour or day is over.
 */
import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../db/index.js';
import { mailDeliveries } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { QUEUES } from '../jobs/queue.js';

export type MailMode = 'instant' | 'hourly' | 'daily';
export type DeliveryKind = (typeof mailDeliveries.$inferSelect)['kind'];

const PERIOD_MS = { hourly: 3_600_000, daily: 86_400_000 } as const;

export interface NewDelivery {
  siteId: string;
  email: string;
  userId?: string | null;
  kind: DeliveryKind;
  threadId?: string | null;
  commentId?: string | null;
  mode: MailMode;
  data?: Record<string, unknown>;
  dedupeKey: string;
}

/** Queues one mail; false when the same one was queued before. Wake QUEUES.mail after commit. */
export async function queueMail(deps: Deps, tx: Tx, input: NewDelivery): Promise<boolean> {
  const [row] = await tx.insert(mailDeliveries).values({
    siteId: input.siteId, email: input.email, userId: input.userId ?? null, kind: input.kind, threadId: input.threadId ?? null,
    commentId: input.commentId ?? null, mode: input.mode, data: input.data ?? null, dedupeKey: input.dedupeKey, createdAt: deps.now(),
  }).onConflictDoNothing({ target: mailDeliveries.dedupeKey }).returning({ id: mailDeliveries.id });
  if (!row) return false;
  if (input.mode === 'instant') {
    await deps.jobs.send(tx, QUEUES.mail, { deliveryId: row.id });
  } else {
    // One digest job waits per address and mode (the queue's `short` policy): later items join it.
    await deps.jobs.send(tx, QUEUES.digest, { email: input.email, mode: input.mode }, {
      startAfter: new Date(deps.now().getTime() + PERIOD_MS[input.mode]), singletonKey: `${input.email}:${input.mode}`,
    });
  }
  return true;
}

/** Queues many mails in three statements whatever their number; returns how many were new. */
export async function queueMails(deps: Deps, tx: Tx, input: NewDelivery[]): Promise<number> {
  if (input.length === 0) return 0;
  const rows = await tx.insert(mailDeliveries).values(input.map((d) => ({
    siteId: d.siteId, email: d.email, userId: d.userId ?? null, kind: d.kind, threadId: d.threadId ?? null,
    commentId: d.commentId ?? null, mode: d.mode, data: d.data ?? null, dedupeKey: d.dedupeKey, createdAt: deps.now(),
  }))).onConflictDoNothing({ target: mailDeliveries.dedupeKey }).returning({ id: mailDeliveries.id, email: mailDeliveries.email, mode: mailDeliveries.mode });
  await deps.jobs.sendMany(tx, QUEUES.mail, rows.filter((r) => r.mode === 'instant').map((r) => ({ data: { deliveryId: r.id } })));
  const digests = new Map(rows.filter((r) => r.mode !== 'instant').map((r) => [`${r.email}:${r.mode}`, r]));
  await deps.jobs.sendMany(tx, QUEUES.digest, [...digests.entries()].map(([key, r]) => ({
    data: { email: r.email, mode: r.mode }, singletonKey: key,
    startAfter: new Date(deps.now().getTime() + PERIOD_MS[r.mode as 'hourly' | 'daily']),
  })));
  return rows.length;
}

/**
 * The per-recipient limit: past `perHour` mails to an address within the hour, what would have
 * gone at once waits for the hourly digest instead (a flame war is one mail an hour, and nothing
 * is lost). Counted under a lock on each address, so concurrent fan-outs cannot both slip past:
 * one lock statement and one count for all the addresses.
 */
export async function modesWithinLimit(deps: Deps, tx: Tx, wanted: Array<{ email: string; mode: MailMode }>, perHour: number): Promise<Map<string, MailMode>> {
  const instant = [...new Set(wanted.filter((w) => w.mode === 'instant').map((w) => w.email))].sort();
  const modes = new Map(wanted.map((w) => [w.email, w.mode]));
  if (instant.length === 0) return modes;
  // Sorted, so that two fan-outs locking overlapping sets cannot deadlock.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('notify:' || e)) from jsonb_array_elements_text(${JSON.stringify(instant)}::jsonb) as e order by e`);
  const since = new Date(deps.now().getTime() - PERIOD_MS.hourly);
  const counts = await tx.select({ email: mailDeliveries.email, count: sql<number>`count(*)::int` }).from(mailDeliveries)
    .where(and(inArray(mailDeliveries.email, instant), eq(mailDeliveries.mode, 'instant'), inArray(mailDeliveries.kind, COUNTED_KINDS), gt(mailDeliveries.createdAt, since)))
    .groupBy(mailDeliveries.email);
  for (const { email, count } of counts) if (count >= perHour) modes.set(email, 'hourly');
  return modes;
}

const COUNTED_KINDS: DeliveryKind[] = ['reply', 'mention', 'subscription', 'moderation'];
