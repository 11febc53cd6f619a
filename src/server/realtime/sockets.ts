import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type { ClientToServerEvents, JoinAck, ServerToClientEvents } from '../../shared/api.js';
import { resolveSession } from '../auth/service.js';
import type { Actor, Deps } from '../deps.js';
import { threadChangeNames, type ThreadChange } from '../events.js';
import { AppError } from '../errors.js';
import { getThread } from '../threads/service.js';
import type { SocketAdapter } from './adapter.js';
import { readThreadEventsSince, socketEventName } from './log.js';

export const MAX_REPLAY = 1000;
/** A page shows a thread or a few; more rooms than this is a client gone wrong (or hostile). */
export const MAX_THREADS_PER_SOCKET = 20;

export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { actor: Actor | null }>;
type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { actor: Actor | null }>;

export const threadRoom = (threadId: string) => `thread:${threadId}`;
export const userRoom = (userId: string) => `user:${userId}`;

const joinRequest = z.object({ threadId: z.uuid(), since: z.string().regex(/^\d{1,19}$/).optional() });

export interface SocketOptions {
  isOriginAllowed: (origin: string | undefined) => Promise<boolean>;
  /** Carries room broadcasts to other processes; absent, they stay in this one. */
  adapter?: SocketAdapter;
  log: { warn: (obj: object, msg: string) => void };
}

/** Socket handlers only join rooms and replay the log; they never write. */
export function createSocketServer(httpServer: http.Server, deps: Deps, options: SocketOptions): ParleyServer {
  const io: ParleyServer = new Server(httpServer, {
    serveClient: false,
    ...(options.adapter ? { adapter: options.adapter } : {}),
    cors: {
      origin: (origin, cb) => { options.isOriginAllowed(origin).then((ok) => cb(null, ok), cb); },
      methods: ['GET', 'POST'],
    },
  });

  io.use(async (socket, next) => {
    const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
    socket.data.actor = null;
    if (token) {
      try {
        socket.data.actor = await resolveSession(deps, token);
      } catch {
        // An expired token still reads public threads; it just gets no private events.
      }
    }
    next();
  });

  io.on('connection', (socket) => {
    const actor = socket.data.actor;
    if (actor) void socket.join(userRoom(actor.userId));
    socket.on('thread:join', (req, ack) => {
      void joinThread(deps, socket, req).then(
        (res) => typeof ack === 'function' && ack(res),
        (err) => {
          if (!(err instanceof AppError)) options.log.warn({ err }, 'thread:join failed');
          const error = err instanceof AppError
            ? { code: err.code, message: err.message }
            : { code: 'internal_error', message: 'Could not join the thread.' };
          if (typeof ack === 'function') ack({ ok: false, error });
        },
      );
    });
    socket.on('thread:leave', (req) => {
      const parsed = z.object({ threadId: z.uuid() }).safeParse(req);
      if (parsed.success) void socket.leave(threadRoom(parsed.data.threadId));
    });
  });
  return io;
}

async function joinThread(deps: Deps, socket: ParleySocket, req: unknown): Promise<JoinAck> {
  const parsed = joinRequest.safeParse(req);
  if (!parsed.success) return { ok: false, error: { code: 'validation_failed', message: 'threadId must be a thread id.' } };
  const joined = [...socket.rooms].filter((room) => room.startsWith('thread:'));
  if (joined.length >= MAX_THREADS_PER_SOCKET && !joined.includes(threadRoom(parsed.data.threadId))) {
    return { ok: false, error: { code: 'rate_limited', message: `A connection follows at most ${MAX_THREADS_PER_SOCKET} threads.` } };
  }
  const thread = await getThread(deps, parsed.data.threadId);
  // Join before reading the log: whatever commits after the read arrives live.
  await socket.join(threadRoom(thread.id));
  const since = parsed.data.since ?? null;
  const missed = since === null ? [] : await readThreadEventsSince(deps.db, {
    threadId: thread.id, since, viewerId: socket.data.actor?.userId ?? null, limit: MAX_REPLAY + 1,
  });
  const replay = missed.slice(0, MAX_REPLAY);
  for (const event of replay) {
    socket.emit(event.type as keyof ServerToClientEvents, { ...event.payload, cursor: event.cursor, threadId: thread.id } as never);
  }
  const cursor = replay.at(-1)?.cursor ?? since ?? '0';
  return { ok: true, cursor, missed: replay.length, truncated: missed.length > MAX_REPLAY };
}

/** Relays thread changes to the rooms that may see them, as the log replays them. */
export function relayDomainEvents(deps: Deps, io: ParleyServer): () => void {
  const offs = threadChangeNames.map((name) => deps.events.on(name, (event) => {
    const { siteId: _site, audienceUserId, ...live } = event as ThreadChange;
    const room = audienceUserId ? userRoom(audienceUserId) : threadRoom(event.threadId);
    io.to(room).emit(socketEventName(name), live as never);
  }));
  return () => offs.forEach((off) => off());
}
