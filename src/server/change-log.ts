import type { DbOrTx } from './db/index.js';
import type { DomainEvents, EventBus, ThreadChange, ThreadChangeName } from './events.js';

export interface RecordedChange<K extends ThreadChangeName> extends Omit<ThreadChange, 'cursor'> {
  name: K;
  /** The comment the change is about (a replay re-reads it as it is then); null for the thread itself. */
  commentId: string | null;
  /** What live readers are sent now besides the cursor and thread id. */
  payload: Omit<DomainEvents[K], keyof ThreadChange>;
}

export interface ChangeContext {
  tx: DbOrTx;
  afterCommit: (fn: () => void) => void;
  events: EventBus;
}

/**
 * How the domain records what changed in a thread: the log entry is written in the change's
 * transaction and the domain event announced after commit. Realtime provides it (DESIGN.md's
 * one-way flow: services know this interface, not the socket layer).
 */
export interface ChangeLog {
  record<K extends ThreadChangeName>(context: ChangeContext, change: RecordedChange<K>): Promise<void>;
  /** The newest cursor of a thread: a page read now resumes from it. */
  latestCursor(db: DbOrTx, threadId: string): Promise<string>;
}
