import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type { ClientToServerEvents, JoinAck, ServerToClientEvents } from '../../shared/api.js';
import { ErrorCodes } from '../../shared/errors.js';
import { resolveSession } from '../auth/service.js';
import type { Actor, Deps } from '../deps.js';
import { threadChangeNames, type ThreadChange } from '../events.js';
import { AppError, Forbidden, NotFound } from '../errors.js';
import { hashIp, limitKeys } from '../limits/service.js';
import type { SocketAdapter } from './adapter.js';
import { capConnectionsPerIp } from './ip-cap.js';
import { originMayJoin, readJoinTarget, type JoinTarget } from './join-target.js';
import { readThreadEventsSince, socketEventName } from './log.js';

export const MAX_REPLAY = 1000;
/** A page shows a thread or a few; more rooms than this is a client gone wrong (or hostile). */
export const MAX_THREADS_PER_SOCKET = 20;

export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { actor: Actor | null }>;
type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { actor: Actor | null }>;

export const threadRoom = (threadId: string) => `thread:${threadId}`;
export const userRoom = (userId: string) => `user:${userId}`;

const joinRequest = z.object({ threadId: z.uuid(), since: z.string().optional() });
const MAX_CURSOR = 9223372036854775807n;

/** A cursor is a bigint id; anything else (past its range, negative, not digits) names no position. */
export function isValidCursor(since: string): boolean {
  return /^\d{1,19}$/.test(since) && BigInt(since) <= MAX_CURSOR;
}

export interface SocketOptions {
  /** The global rule, as for HTTP: Parley's own origin, an enabled site's origin, or none. */
  isOriginAllowed: (origin: string | undefined) => Promise<boolean>;
  /** Parley's own origin: its pages may follow any thread. */
  ownOrigin: string;
  /** Connections one client address may hold at once in this process. */
  socketsPerIp: number;
  /** The reader's address as the HTTP layer sees it (through trusted proxies): limits count by it. */
  clientAddress: (req: http.IncomingMessage) => string;
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
    // CORS binds only browsers' polling requests; a WebSocket handshake must be refused here.
    allowRequest: (req, cb) => {
      options.isOriginAllowed(req.headers.origin).then(
        (ok) => cb(ok ? null : 'Origin not allowed', ok),
        (err) => { options.log.warn({ err }, 'socket origin check failed'); cb('Origin not checked', false); },
      );
    },
  });

  io.use(capConnectionsPerIp(io, options.socketsPerIp, options.clientAddress));
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
    const pending = new Set<string>();
    socket.on('thread:join', (req, ack) => {
      void joinThread(deps, { socket, pending, ownOrigin: options.ownOrigin, clientAddress: options.clientAddress }, req).then(
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

interface JoinContext {
  socket: ParleySocket;
  /** Threads whose join is under way on this socket: they hold a slot already. */
  pending: Set<string>;
  ownOrigin: string;
  clientAddress: (req: http.IncomingMessage) => string;
}

async function joinThread(deps: Deps, ctx: JoinContext, req: unknown): Promise<JoinAck> {
  const parsed = joinRequest.safeParse(req);
  if (!parsed.success) return { ok: false, error: { code: ErrorCodes.validation, message: 'threadId must be a thread id.' } };
  const { threadId, since } = parsed.data;
  if (since !== undefined && !isValidCursor(since)) {
    return { ok: false, error: { code: ErrorCodes.invalidCursor, message: 'since must be a cursor this server sent.' } };
  }
  const release = reserveSlot(ctx, threadId);
  if (!release) {
    return { ok: false, error: { code: ErrorCodes.rateLimited, message: `A connection follows at most ${MAX_THREADS_PER_SOCKET} threads.` } };
  }
  try {
    // Each replay reads the log: a leave/join loop must not make that free.
    if (since !== undefined) await deps.limits.consume('replay', replayKeys(deps, ctx));
    const target = await readJoinTarget(deps.db, threadId);
    if (!target) throw new NotFound('Thread');
    if (!originMayJoin(target, ctx.socket.handshake.headers.origin, ctx.ownOrigin)) {
      throw new Forbidden('This page may not follow that thread.');
    }
    // Join before reading the log: whatever commits after the read arrives live.
    await ctx.socket.join(threadRoom(threadId));
    return since === undefined ? { ok: true, cursor: '0', missed: 0, truncated: false } : await replaySince(deps, ctx.socket, target, since);
  } finally {
    release();
  }
}

/**
 * Takes the thread's slot before the first await: checked later, concurrent joins on one
 * socket would all see the same free count. Returns its release, or null when none is free.
 */
function reserveSlot(ctx: JoinContext, threadId: string): (() => void) | null {
  const held = new Set([...ctx.socket.rooms].filter((room) => room.startsWith('thread:')));
  for (const id of ctx.pending) held.add(threadRoom(id));
  if (held.has(threadRoom(threadId))) return () => {};
  if (held.size >= MAX_THREADS_PER_SOCKET) return null;
  ctx.pending.add(threadId);
  return () => ctx.pending.delete(threadId);
}

/** Counted like other actions: by the reader's address and the reader, if any. */
function replayKeys(deps: Deps, ctx: JoinContext): string[] {
  return limitKeys(hashIp(deps.secret, ctx.clientAddress(ctx.socket.request)), ctx.socket.data.actor?.userId);
}

async function replaySince(deps: Deps, socket: ParleySocket, target: JoinTarget, since: string): Promise<JoinAck> {
  if (BigInt(since) < target.prunedThrough) return mustReread(target);
  const missed = await readThreadEventsSince(deps.db, {
    threadId: target.threadId, since, viewerId: socket.data.actor?.userId ?? null, limit: MAX_REPLAY,
  });
  // A prune that ran between the two reads took events the replay would have carried.
  const now = await readJoinTarget(deps.db, target.threadId);
  if (now && BigInt(since) < now.prunedThrough) return mustReread(now);
  const replay = missed.events;
  for (const event of replay) {
    socket.emit(event.type as keyof ServerToClientEvents, { ...event.payload, cursor: event.cursor, threadId: target.threadId } as never);
  }
  const cursor = missed.through;
  return { ok: true, cursor, missed: replay.length, truncated: missed.more };
}

/** The log no longer reaches back to the client's cursor: it re-reads the thread (the widget does on truncated). */
function mustReread(target: JoinTarget): JoinAck {
  return { ok: true, cursor: target.latestCursor, missed: 0, truncated: true };
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
