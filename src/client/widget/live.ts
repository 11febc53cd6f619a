/**
 * Live updates over socket.io. This module is imported lazily, after the thread is
 * shown, so socket.io-client never delays the first paint (it lands in its own chunk).
 */
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  CommentCreatedEvent,
  CommentDeletedEvent,
  CommentUpdatedEvent,
  LiveEventBase,
  ServerToClientEvents,
  ThreadUpdatedEvent,
  VoteUpdatedEvent,
} from '../../shared/api.js';
import { compareCursors } from './cursor.js';

export interface LiveHandlers {
  created(event: CommentCreatedEvent): void;
  updated(event: CommentUpdatedEvent): void;
  deleted(event: CommentDeletedEvent): void;
  votes(event: VoteUpdatedEvent): void;
  /** A moderator locked, closed or reopened the thread. */
  thread(event: ThreadUpdatedEvent): void;
  /** More was missed than the server replays: re-read the thread; resolves to its eventCursor. */
  resync(): Promise<string | undefined>;
  /** How many connections follow the thread now. */
  presence(count: number): void;
  /** The server ended the connection's session (signed out, revoked); `token`: the one it was opened with. */
  revoked(token: string | null): void;
}

export interface LiveOptions {
  origin: string;
  threadId: string;
  /** The eventCursor the thread page was read at. */
  since: string | undefined;
  /**
   * The reader's token for the thread's site. Passed in rather than imported so this chunk
   * shares no module with widget.js (one request less before first paint).
   */
  readToken: () => string | null;
  handlers: LiveHandlers;
}

export interface LiveConnection {
  /** Reconnects with the current token; the rejoin replays what the new identity may see. */
  reauthenticate(): void;
  stop(): void;
}

/** Connects and joins the thread's room. */
export function connectLive({ origin, threadId, since, readToken, handlers }: LiveOptions): LiveConnection {
  let cursor = since;
  let sentToken: string | null = null;
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(origin, {
    transports: ['websocket', 'polling'],
    // Read at every (re)connection: the reader may have got a guest session since.
    auth: (send) => {
      sentToken = readToken();
      send(sentToken ? { token: sentToken } : {});
    },
  });
  // Said before the server drops the connection, which then does not come back by itself.
  socket.on('session:revoked', () => handlers.revoked(sentToken));

  /**
   * Re-reads the thread, then resumes from the page's cursor: the thread now shows that page,
   * which may be older than what was replayed before (pages are cached and rebuilt at most a
   * few times a second). A rejoin from it replays the gap; should the page not have moved on
   * since the last re-read, the rejoin waits a moment for the cache to catch up.
   */
  let lastResync: string | undefined;
  async function resync(serverCursor: string) {
    const fresh = await handlers.resync();
    if (fresh === undefined) return;
    const stuck = fresh === lastResync;
    lastResync = fresh;
    cursor = fresh;
    if (compareCursors(serverCursor, fresh) <= 0) return;
    setTimeout(() => { if (socket.connected) join(); }, stuck ? 500 : 0);
  }

  // While a join is in flight, replayed and live events can interleave: hold them until
  // the ack, then apply them in cursor order, skipping what was already applied.
  let joining = false;
  let held: Array<{ cursor: string; apply: () => void }> = [];

  function join() {
    joining = true;
    socket.emit('thread:join', { threadId, since: cursor }, (ack) => {
      if (!ack.ok) console.warn('[parley] live updates unavailable:', ack.error.message);
      else if (ack.truncated) void resync(ack.cursor);
      const pending = held.sort((a, b) => compareCursors(a.cursor, b.cursor));
      joining = false;
      held = [];
      pending.forEach((event) => event.apply());
    });
  }

  // 'connect' fires again after every reconnection; joining with the last cursor seen
  // makes the server replay what was missed while the connection was down.
  socket.on('connect', join);

  const on = <E extends LiveEventBase>(handle: (event: E) => void) => (event: E) => {
    if (event.threadId !== threadId) return;
    const apply = () => {
      if (cursor !== undefined && compareCursors(event.cursor, cursor) <= 0) return;
      cursor = event.cursor;
      handle(event);
    };
    if (!joining) return apply();
    held.push({ cursor: event.cursor, apply });
  };
  socket.on('comment:created', on(handlers.created));
  socket.on('comment:updated', on(handlers.updated));
  socket.on('comment:deleted', on(handlers.deleted));
  socket.on('vote:updated', on(handlers.votes));
  socket.on('thread:updated', on(handlers.thread));
  socket.on('thread:presence', (event) => event.threadId === threadId && handlers.presence(event.count));

  return {
    reauthenticate: () => { socket.disconnect().connect(); },
    stop: () => { socket.disconnect(); },
  };
}

/**
 * The reader's own notices (replies, mentions, followed threads) arrive in their user room, which
 * the server joins a connection with a token to. Its own connection, opened only for a reader
 * with a token, so the thread's connection stays as it is. Returns the stop.
 */
export function watchNotices(origin: string, readToken: () => string | null, onNew: () => void): () => void {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(origin, {
    transports: ['websocket', 'polling'],
    auth: (send) => {
      const token = readToken();
      send(token ? { token } : {});
    },
  });
  socket.on('notification:new', () => onNew());
  return () => { socket.close(); };
}
