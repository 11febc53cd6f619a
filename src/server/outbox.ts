/**
 * The outbox: what a service records, inside the transaction of its change, for mail, in-widget
 * notices and webhooks to act on later. The record is a job (jobs/queue.ts) that exists exactly
 * when the change committed; notifications/fanout.ts turns it into mails and deliveries, so the
 * writing request pays one insert and no rule of who-gets-told runs in it. Services know this
 * interface only (as they know change-log.ts), never mail or webhooks.
 */
import type { DbOrTx } from './db/index.js';
import { QUEUES, type JobQueue } from './jobs/queue.js';

interface CommentRef { siteId: string; threadId: string; commentId: string }

export type OutboxEvent =
  | ({ type: 'comment.created' } & CommentRef)
  | ({ type: 'comment.updated' } & CommentRef)
  | ({ type: 'comment.deleted' } & CommentRef)
  /** A moderator's action (or Parley's, on readers' flags: moderatorId null). */
  | ({ type: 'comment.moderated'; action: string; previousStatus: string; moderatorId: string | null } & CommentRef)
  | ({ type: 'comment.flagged' } & CommentRef)
  | { type: 'thread.created'; siteId: string; threadId: string }
  | { type: 'user.banned'; siteId: string; userId: string; kind: 'ban' | 'suspend' | 'shadowban'; until: string | null; moderatorId: string };

export type OutboxEventType = OutboxEvent['type'];

/** An event as its job carries it: when it happened, too. */
export type RecordedEvent = OutboxEvent & { at: string };

export interface OutboxContext {
  tx: DbOrTx;
  afterCommit: (fn: () => void) => void;
}

export interface Outbox {
  add(context: OutboxContext, event: OutboxEvent): Promise<void>;
}

export function jobOutbox(jobs: JobQueue, now: () => Date): Outbox {
  return {
    async add(context, event) {
      await jobs.send(context.tx, QUEUES.events, { ...event, at: now().toISOString() });
      context.afterCommit(() => jobs.wake(QUEUES.events));
    },
  };
}
