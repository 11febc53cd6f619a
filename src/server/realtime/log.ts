import { and, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { ServerToClientEvents } from '../../shared/api.js';
import type { ChangeContext, ChangeLog, RecordedChange } from '../change-log.js';
import { deletionOutcome, PLACEHOLDER_STATUSES } from '../comments/placeholders.js';
import { publicColumns, toApiComment, type PublicCommentRow } from '../comments/serialize.js';
import type { DbOrTx } from '../db/index.js';
import { comments, threadEvents, threads } from '../db/schema.js';
import type { DomainEvents, ThreadChangeName } from '../events.js';

export interface ThreadEvent {
  cursor: string;
  type: string;
  payload: Record<string, unknown>;
}

/** The socket event a thread change goes out as (and is logged under): comment.created -> comment:created. */
export function socketEventName(name: ThreadChangeName): keyof ServerToClientEvents {
  return name.replace('.', ':') as keyof ServerToClientEvents;
}

/**
 * Logs a thread change in the transaction that makes it and announces it once that
 * transaction has committed. The log keeps only which comment changed, never its text: a
 * replay re-reads the comment, so an edit or a deletion takes the old words out of it too.
 * The per-thread lock, held to commit, makes a thread's cursors increase in commit order: a
 * reader who saw cursor N has seen everything before N, so resuming from N loses nothing. It is
 * taken in the same statement that draws the cursor, the write's last before COMMIT, so a
 * thread's writes queue on it for as short a time as the commit allows.
 */
async function record<K extends ThreadChangeName>(context: ChangeContext, change: RecordedChange<K>): Promise<void> {
  const { name, siteId, threadId, commentId, audienceUserId, payload } = change;
  // The lock's subquery is the insert's only row source, so it is held before the cursor is drawn.
  const result = await context.tx.execute<{ id: string }>(sql`
    insert into ${threadEvents} (thread_id, type, comment_id, audience_user_id)
    select ${threadId}::uuid, ${socketEventName(name)}, ${commentId}::uuid, ${audienceUserId}::uuid
    from (select pg_advisory_xact_lock(hashtext(${threadId}::text))) as locked
    returning id`);
  const event = { siteId, threadId, cursor: String(result.rows[0].id), audienceUserId, ...payload } as unknown as DomainEvents[K];
  context.afterCommit(() => context.events.emit(name, event));
}

/**
 * The newest cursor of a thread. When its whole log has been pruned, the pruning mark stands in
 * for it: a reader resuming from there has missed nothing that is still to replay.
 */
async function latestCursor(db: DbOrTx, threadId: string): Promise<string> {
  const [row] = await db
    .select({
      id: sql<string>`greatest(
        (select coalesce(max(${threadEvents.id}), 0) from ${threadEvents} where ${threadEvents.threadId} = ${threadId}),
        ${threads.eventsPrunedThrough})`,
    })
    .from(threads)
    .where(eq(threads.id, threadId));
  return String(row?.id ?? 0);
}

export const liveChangeLog: ChangeLog = { record, latestCursor };

/** A comment as a replay may show it to this viewer now, or null when they may no longer see it. */
function visibleNow(row: PublicCommentRow, viewerId: string | null): boolean {
  return row.status === 'approved' || PLACEHOLDER_STATUSES.has(row.status) || (row.status === 'pending' && row.authorId === viewerId);
}

async function replayPayload(
  db: DbOrTx,
  type: string,
  row: PublicCommentRow & { rootId: string },
  viewerId: string | null,
): Promise<Record<string, unknown> | null> {
  // Hidden for review after it was published (flags): readers who saw it drop it.
  if (type === 'comment:deleted' && row.status === 'pending') return row.authorId === viewerId ? null : { commentId: row.id, placeholder: null, prunedIds: [] };
  if (!visibleNow(row, viewerId)) return null;
  if (type === 'comment:created' || type === 'comment:updated') return { comment: toApiComment(row) };
  if (type === 'vote:updated') return { commentId: row.id, upvotes: row.upvotes, downvotes: row.downvotes };
  if (type === 'comment:deleted') {
    if (!PLACEHOLDER_STATUSES.has(row.status)) return null;
    const outcome = await deletionOutcome(db, row);
    return { commentId: row.id, placeholder: outcome.keepsPlace ? toApiComment(row) : null, prunedIds: outcome.prunedIds };
  }
  return null;
}

/**
 * What a client missed since its cursor, oldest first, limited to what it may see, each
 * event carrying the comment as it is now (never an earlier body). At most `limit` entries of
 * the log are read; `more` says the log holds more after them (the client then re-reads).
 */
export async function readThreadEventsSince(
  db: DbOrTx,
  input: { threadId: string; since: string; viewerId: string | null; limit: number },
): Promise<{ events: ThreadEvent[]; more: boolean; through: string }> {
  const audience = input.viewerId
    ? or(isNull(threadEvents.audienceUserId), eq(threadEvents.audienceUserId, input.viewerId))
    : isNull(threadEvents.audienceUserId);
  const events = await db
    .select({ id: threadEvents.id, type: threadEvents.type, commentId: threadEvents.commentId })
    .from(threadEvents)
    .where(and(eq(threadEvents.threadId, input.threadId), gt(threadEvents.id, sql`${input.since}::bigint`), audience))
    .orderBy(threadEvents.id)
    .limit(input.limit + 1);
  const more = events.length > input.limit;
  events.length = Math.min(events.length, input.limit);
  const ids = [...new Set(events.map((e) => e.commentId).filter((id): id is string => id !== null))];
  const rows = ids.length === 0 ? [] : await db
    .select({ ...publicColumns, rootId: comments.rootId })
    .from(comments)
    .where(inArray(comments.id, ids));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const threadStatus = events.some((e) => e.commentId === null)
    ? (await db.select({ status: threads.status }).from(threads).where(eq(threads.id, input.threadId)))[0]?.status
    : undefined;
  const replay: ThreadEvent[] = [];
  for (const event of events) {
    if (event.commentId === null) {
      // The thread's own change: replayed as the thread stands now.
      if (threadStatus) replay.push({ cursor: String(event.id), type: event.type, payload: { status: threadStatus } });
      continue;
    }
    const row = byId.get(event.commentId);
    const payload = row ? await replayPayload(db, event.type, row, input.viewerId) : null;
    if (payload) replay.push({ cursor: String(event.id), type: event.type, payload });
  }
  // Entries this viewer may not see still count as read: resuming after them skips them.
  return { events: replay, more, through: events.length > 0 ? String(events.at(-1)!.id) : input.since };
}
