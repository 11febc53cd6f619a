import type { Db } from './db/index.js';
import type { EventBus } from './events.js';

/** What every service function gets first: its collaborators, never the transport. */
export interface Deps {
  db: Db;
  events: EventBus;
  /** Keys HMACs (IP hashes). */
  secret: string;
  now: () => Date;
}

/** Who acts: a session's user, or nobody (an anonymous reader). */
export interface Actor {
  userId: string;
  displayName: string;
  isGuest: boolean;
  scope: 'embed' | 'full';
}
