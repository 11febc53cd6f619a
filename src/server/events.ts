import { EventEmitter } from 'node:events';
import type { ApiComment, ImportJobOutcome, ImportJobProgress } from '../shared/api.js';
import type { TopicCreatedEvent } from '../shared/forum.js';

export interface ThreadChange {
  siteId: string;
  threadId: string;
  /** The change's place in the thread's event log. */
  cursor: string;
  /** null: everyone on the thread may see it; else only this user (a comment under review). */
  audienceUserId: string | null;
}

/** Domain events, emitted by services after their transaction commits. */
export interface DomainEvents {
  'comment.created': ThreadChange & { comment: ApiComment };
  'comment.updated': ThreadChange & { comment: ApiComment };
  'comment.deleted': ThreadChange & { commentId: string; placeholder: ApiComment | null; prunedIds: string[] };
  'vote.updated': ThreadChange & { commentId: string; upvotes: number; downvotes: number };
  /** A moderator locked, closed or reopened the thread. */
  'thread.updated': ThreadChange & { status: 'open' | 'locked' | 'closed' };
  /** `fromOtherProcess`: relayed from another process (which already told the rest). */
  /** A comment entered, moved between or left the moderators' queues: their dashboards follow. */
  'moderation.changed': { siteId: string; commentId: string; status: string; flagCount: number };
  'site.changed': { siteId: string; fromOtherProcess?: boolean };
  /** A reader got a notice (a reply, a mention, a comment where they follow): their widgets update the count. */
  'notification.created': { userId: string; siteId: string; unread: number };
  /** A session was ended: whoever keeps resolved sessions drops it. */
  'session.revoked': { tokenHash: string; userId: string | null };
  /** An import uploaded on the dashboard moved on (at most a few a second): the site's staff follow it. */
  'import.progress': { siteId: string; progress: ImportJobProgress };
  /** An import uploaded on the dashboard ended: written, previewed (a dry run), failed or interrupted. */
  'import.finished': { siteId: string; outcome: ImportJobOutcome };
  /** A forum topic was started and its first post published: the site's open forum lists follow. */
  'topic.created': { siteId: string; topic: TopicCreatedEvent };
}

export type DomainEventName = keyof DomainEvents;

/** The events that change what a thread's readers see: logged for replay, relayed live. */
export const threadChangeNames = ['comment.created', 'comment.updated', 'comment.deleted', 'vote.updated', 'thread.updated'] as const;
export type ThreadChangeName = (typeof threadChangeNames)[number];

/**
 * A typed in-process bus; realtime (and later mail and webhooks) subscribe to it. Events are
 * emitted after a change has committed: a listener that fails is reported, and neither stops
 * the other listeners nor turns the saved write into an error.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor(private readonly reporter: { error(obj: object, msg: string): void }) {}

  emit<K extends DomainEventName>(name: K, payload: DomainEvents[K]): void {
    for (const listener of this.emitter.listeners(name)) {
      try {
        listener(payload);
      } catch (err) {
        this.reporter.error({ err, event: name }, 'event listener failed');
      }
    }
  }

  on<K extends DomainEventName>(name: K, listener: (payload: DomainEvents[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
