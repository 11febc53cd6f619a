import { EventEmitter } from 'node:events';
import type { ApiComment } from '../shared/api.js';

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
  'comment.deleted': ThreadChange & { commentId: string; placeholder: ApiComment | null };
  'vote.updated': ThreadChange & { commentId: string; score: number; upvotes: number; downvotes: number };
  'site.changed': { siteId: string };
}

export type DomainEventName = keyof DomainEvents;

/** The events that change what a thread's readers see: logged for replay, relayed live. */
export const threadChangeNames = ['comment.created', 'comment.updated', 'comment.deleted', 'vote.updated'] as const;
export type ThreadChangeName = (typeof threadChangeNames)[number];

/** A typed in-process bus; realtime (and later mail and webhooks) subscribe to it. */
export class EventBus {
  private readonly emitter = new EventEmitter();

  emit<K extends DomainEventName>(name: K, payload: DomainEvents[K]): void {
    this.emitter.emit(name, payload);
  }

  on<K extends DomainEventName>(name: K, listener: (payload: DomainEvents[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
