import { and, eq, gt, max, or, sql } from 'drizzle-orm';
import type { ServerToClientEvents } from '../../shared/api.js';
import type { DbOrTx } from '../db/index.js';
import type { DomainEvents, EventBus, ThreadChange, ThreadChangeName } from '../events.js';
import { threadEvents } from '../db/schema.js';

export interface ThreadEventInput {
  threadId: string;
  type: string;
  payload: unknown;
  /** Set for events only one user may see (their comment awaiting moderation). */
  audienceUserId: string | null;
}

export interface ThreadEvent {
  cursor: string;
  type: string;
  payload: Record<string, unknown>;
}

/**
 * Records a live change in the transaction that makes it; returns its cursor. The per-thread
 * lock, held to commit, makes a thread's cursors increase in commit order: a reader who saw
 * cursor N has seen everything before N, so resuming from N loses nothing.
 */
async function appendThreadEvent(tx: DbOrTx, input: ThreadEventInput): Promise<string> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${input.threadId}))`);
  const [row] = await tx
    .insert(threadEvents)
    .values({
      threadId: input.threadId,
      type: input.type,
      payload: input.payload,
      audience: input.audienceUserId ? 'author' : 'public',
      audienceUserId: input.audienceUserId,
    })
    .returning({ id: threadEvents.id });
  return String(row.id);
}

/** The socket event a thread change goes out as (and is logged under): comment.created -> comment:created. */
export function socketEventName(name: ThreadChangeName): keyof ServerToClientEvents {
  return name.replace('.', ':') as keyof ServerToClientEvents;
}

export interface RecordedChange<K extends ThreadChangeName> extends Omit<ThreadChange, 'cursor'> {
  name: K;
  /** What readers are sent besides the cursor and thread id. */
  payload: Omit<DomainEvents[K], keyof ThreadChange>;
}

/**
 * Logs a thread change in the transaction that makes it, and announces it as a domain event
 * once that transaction has committed: every writer does both, in this one way.
 */
export async function recordThreadChange<K extends ThreadChangeName>(
  context: { tx: DbOrTx; afterCommit: (fn: () => void) => void; events: EventBus },
  change: RecordedChange<K>,
): Promise<void> {
  const { name, siteId, threadId, audienceUserId, payload } = change;
  const cursor = await appendThreadEvent(context.tx, { threadId, type: socketEventName(name), payload, audienceUserId });
  const event = { siteId, threadId, cursor, audienceUserId, ...payload } as unknown as DomainEvents[K];
  context.afterCommit(() => context.events.emit(name, event));
}

/** The newest cursor of a thread: a page read now resumes from it. */
export async function latestThreadCursor(db: DbOrTx, threadId: string): Promise<string> {
  const [row] = await db.select({ id: max(threadEvents.id) }).from(threadEvents).where(eq(threadEvents.threadId, threadId));
  return String(row?.id ?? 0);
}

/** What a client missed since its cursor, oldest first, limited to what it may see. */
export async function readThreadEventsSince(
  db: DbOrTx,
  input: { threadId: string; since: string; viewerId: string | null; limit: number },
): Promise<ThreadEvent[]> {
  const visible = input.viewerId
    ? or(eq(threadEvents.audience, 'public'), eq(threadEvents.audienceUserId, input.viewerId))
    : eq(threadEvents.audience, 'public');
  const rows = await db
    .select({ id: threadEvents.id, type: threadEvents.type, payload: threadEvents.payload })
    .from(threadEvents)
    .where(and(eq(threadEvents.threadId, input.threadId), gt(threadEvents.id, sql`${input.since}::bigint`), visible))
    .orderBy(threadEvents.id)
    .limit(input.limit);
  return rows.map((r) => ({ cursor: String(r.id), type: r.type, payload: r.payload as Record<string, unknown> }));
}
