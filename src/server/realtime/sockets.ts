import type http from 'node:http';
import cookieParser from 'cookie-parser';
import type { Request, Response } from 'express';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type { ClientToServerEvents, CommentStatus, JoinAck, ModJoinAck, ServerToClientEvents } from '../../shared/api.js';
import { ErrorCodes } from '../../shared/errors.js';
import { hashToken, resolveSession } from '../auth/service.js';
import type { Actor, Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { threadChangeNames, type ThreadChange } from '../events.js';
import { AppError, Forbidden, NotFound } from '../errors.js';
import { SESSION_COOKIE } from '../http/own-session.js';
import { hashIp, limitKeys } from '../limits/service.js';
import { requireModeratorOf } from '../moderation/access.js';
import { getSiteBySlug } from '../sites/service.js';
import type { SocketAdapter } from './adapter.js';
import { keepConnectionInfo, type ConnectionInfo } from './connection-info.js';
import { capConnectionsPerIp } from './ip-cap.js';
import { createJoinCache, type JoinCache } from './join-cache.js';
import { originMayJoin, readJoinTarget, type JoinTarget } from './join-target.js';
import { readThreadEventsSince, socketEventName } from './log.js';
import { joinForum } from './forum.js';

export const MAX_REPLAY = 1000;
/** A page shows a thread or a few; more rooms than this is a client gone wrong (or hostile). */
export const MAX_THREADS_PER_SOCKET = 20;

export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

interface SocketData {
  actor: Actor | null;
  tokenHash?: string;
}

export const threadRoom = (threadId: string) => `thread:${threadId}`;
export const userRoom = (userId: string) => `user:${userId}`;
/** The dashboards of one site's moderators: the queues' changes go there. */
export const modRoom = (siteId: string) => `site:${siteId}:mod`;
/** The sockets opened with one session: a sign-out tells and drops them. */
const sessionRoom = (tokenHash: string) => `session:${tokenHash}`;

/** Tells this process's sockets of a revoked session so, then drops them (they reconnect as strangers). */
export function dropSessionSockets(io: ParleyServer, tokenHash: string): void {
  const room = io.local.in(sessionRoom(tokenHash));
  room.emit('session:revoked');
  room.disconnectSockets(true);
}

const joinRequest = z.object({ threadId: z.uuid(), since: z.string().optional() });
const leaveRequest = z.object({ threadId: z.uuid() });
const modJoinRequest = z.object({ site: z.string().min(1).max(64) });
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

/** Clients send only joins and leaves: a few hundred bytes. Larger is a client gone wrong. */
const MAX_CLIENT_PACKET = 16 * 1024;

/** Socket handlers only join rooms and replay the log; they never write. */
export function createSocketServer(httpServer: http.Server, deps: Deps, options: SocketOptions): ParleyServer {
  const io: ParleyServer = new Server(httpServer, {
    serveClient: false,
    ...(options.adapter ? { adapter: options.adapter } : {}),
    // Compression would be per socket (a zlib context each for WebSocket, a gzip per poll
    // response) for events a broadcast otherwise encodes once; they are small JSON anyway.
    perMessageDeflate: false,
    httpCompression: false,
    maxHttpBufferSize: MAX_CLIENT_PACKET,
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

  // Before keepConnectionInfo, which empties the request: this one wants no address, only the cookie.
  // Parley's origin as deps know it: with PORT=0 the configured one names no real port until the server listens.
  const cookieOf = keepOwnPageCookie(io, () => ownOrigin(deps));
  // First of the engine's listeners that read the address: the others read the one it keeps.
  const infoOf = keepConnectionInfo(io, options.clientAddress);
  io.use(capConnectionsPerIp(io, options.socketsPerIp, (conn) => infoOf(conn).address));
  io.use(authenticate(deps, cookieOf));

  const offRevoked = deps.events.on('session.revoked', ({ tokenHash }) => dropSessionSockets(io, tokenHash));
  httpServer.once('close', offRevoked);
  const cache = createJoinCache(deps);
  httpServer.once('close', () => cache.close());
  const ctx: JoinContext = {
    deps, cache, infoOf, ownOrigin: options.ownOrigin, pending: new WeakMap(), localCursors: !options.adapter, log: options.log,
  };
  const onJoin = ackHandler(ctx, joinThread, { log: 'thread:join failed', message: 'Could not join the thread.' });
  const onModJoin = ackHandler(ctx, joinModerators, { log: 'mod:join failed', message: 'Could not follow the queues.' });
  const onForumJoin = ackHandler(ctx, (c, socket, req) => joinForum(c.deps, c.infoOf(socket.conn).origin, socket, req), { log: 'forum:join failed', message: 'Could not follow the forum.' });
  io.on('connection', (socket) => {
    const actor = socket.data.actor;
    if (actor) void socket.join([userRoom(actor.userId), sessionRoom(socket.data.tokenHash as string)]);
    // Shared handlers, not closures per socket: socket.io calls them with the socket as `this`.
    socket.on('thread:join', onJoin);
    socket.on('thread:leave', onLeave);
    socket.on('mod:join', onModJoin);
    socket.on('forum:join', onForumJoin);
  });
  return io;
}

type EngineSocket = ParleySocket['conn'];
const readCookies = cookieParser();

/** The session cookie of a request header, parsed as Parley's own pages parse it. */
function sessionCookieOf(header: string | undefined): string | null {
  if (!header) return null;
  const req = { headers: { cookie: header } } as unknown as Request;
  readCookies(req, {} as Response, () => {});
  const value = (req.cookies as Record<string, unknown>)[SESSION_COOKIE];
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Parley's own pages (the dashboard) hold their session in an HttpOnly cookie, which their
 * script cannot hand over as a token: the handshake's cookie stands in for it, from Parley's
 * own origin only. A site's page may be same-site with Parley, so its handshake carries the
 * cookie too, and must never act on it. Kept only until authenticate() takes it.
 */
function keepOwnPageCookie(io: ParleyServer, ownOrigin: () => string): (conn: EngineSocket) => string | null {
  const cookies = new WeakMap<EngineSocket, string>();
  io.engine.on('connection', (conn: EngineSocket) => {
    const { headers } = conn.request;
    const token = headers.origin === ownOrigin() ? sessionCookieOf(headers.cookie) : null;
    if (token) cookies.set(conn, token);
  });
  return (conn) => {
    const token = cookies.get(conn) ?? null;
    cookies.delete(conn);
    return token;
  };
}

/**
 * An expired token still reads public threads; it just gets no private events. Without a
 * token, a page of Parley's own that asks for it (the dashboard: `auth: {cookie: true}`) is its
 * cookie's session, when that is a full one; the widget on Parley's demo page, which does not
 * ask, stays whoever its own token says.
 */
function authenticate(deps: Deps, cookieOf: (conn: EngineSocket) => string | null) {
  return async (socket: ParleySocket, next: (err?: Error) => void) => {
    const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
    const cookie = cookieOf(socket.conn);
    socket.data.actor = null;
    if (token) {
      socket.data.actor = await resolveSession(deps, token).catch(() => null);
      socket.data.tokenHash = hashToken(token);
    } else if (cookie && socket.handshake.auth?.cookie === true) {
      const actor = await resolveSession(deps, cookie).catch(() => null);
      if (actor?.scope === 'full') {
        socket.data.actor = actor;
        socket.data.tokenHash = hashToken(cookie);
      }
    }
    next();
  };
}

interface JoinContext {
  deps: Deps;
  cache: JoinCache;
  infoOf: (conn: ParleySocket['conn']) => ConnectionInfo;
  ownOrigin: string;
  /** Threads whose join is under way, per socket: they hold a slot already. Only while one is. */
  pending: WeakMap<ParleySocket, Set<string>>;
  /** One process: the cursors it announces are all there are, so a current `since` needs no read. */
  localCursors: boolean;
  log: SocketOptions['log'];
}

/**
 * A client request answered through its ack: an AppError goes back as its code and message,
 * anything else is logged and goes back as a plain internal error.
 */
function ackHandler<A extends { ok: boolean }>(
  ctx: JoinContext,
  work: (ctx: JoinContext, socket: ParleySocket, req: unknown) => Promise<A>,
  failure: { log: string; message: string },
) {
  return function onRequest(this: ParleySocket, req: unknown, ack: unknown) {
    const reply = (res: A | { ok: false; error: { code: string; message: string } }) => { if (typeof ack === 'function') ack(res); };
    work(ctx, this, req).then(reply, (err: unknown) => {
      if (!(err instanceof AppError)) ctx.log.warn({ err }, failure.log);
      const error = err instanceof AppError ? { code: err.code, message: err.message } : { code: 'internal_error', message: failure.message };
      reply({ ok: false, error });
    });
  };
}

/**
 * `mod:join` {site} (joinModerators): the socket follows the site's queues, when its session
 * may moderate the site from where it stands (the same check as every moderation call). Joins
 * only, never writes.
 */
async function joinModerators(ctx: JoinContext, socket: ParleySocket, req: unknown): Promise<ModJoinAck> {
  const parsed = modJoinRequest.safeParse(req);
  if (!parsed.success) return { ok: false, error: { code: ErrorCodes.validation, message: 'site must be a site\'s slug.' } };
  const site = await getSiteBySlug(ctx.deps, parsed.data.site);
  const caller = { actor: socket.data.actor, origin: ctx.infoOf(socket.conn).origin ?? null, sessionTokenHash: socket.data.tokenHash };
  await requireModeratorOf(ctx.deps, caller, site);
  await socket.join(modRoom(site.id));
  return { ok: true };
}

function onLeave(this: ParleySocket, req: unknown) {
  const parsed = leaveRequest.safeParse(req);
  if (parsed.success) void this.leave(threadRoom(parsed.data.threadId));
}

async function joinThread(ctx: JoinContext, socket: ParleySocket, req: unknown): Promise<JoinAck> {
  const parsed = joinRequest.safeParse(req);
  if (!parsed.success) return { ok: false, error: { code: ErrorCodes.validation, message: 'threadId must be a thread id.' } };
  const { threadId, since } = parsed.data;
  if (since !== undefined && !isValidCursor(since)) {
    return { ok: false, error: { code: ErrorCodes.invalidCursor, message: 'since must be a cursor this server sent.' } };
  }
  const release = reserveSlot(ctx, socket, threadId);
  if (!release) {
    return { ok: false, error: { code: ErrorCodes.rateLimited, message: `A connection follows at most ${MAX_THREADS_PER_SOCKET} threads.` } };
  }
  try {
    const access = await ctx.cache.access(threadId);
    if (!access) throw new NotFound('Thread');
    if (!originMayJoin(access, ctx.infoOf(socket.conn).origin, ctx.ownOrigin)) {
      throw new Forbidden('This page may not follow that thread.');
    }
    if (since === undefined) {
      await socket.join(threadRoom(threadId));
      return { ok: true, cursor: '0', missed: 0, truncated: false };
    }
    if (ctx.localCursors && ctx.cache.isLatest(threadId, BigInt(since))) {
      // Checked and joined in one tick: a change announced later reaches the room.
      await socket.join(threadRoom(threadId));
      return { ok: true, cursor: since, missed: 0, truncated: false };
    }
    // Each replay reads the log: a leave/join loop must not make that free.
    await ctx.deps.limits.consume('replay', replayKeys(ctx, socket));
    // Join before reading the log: whatever commits after the read arrives live.
    await socket.join(threadRoom(threadId));
    return await replaySince(ctx.deps, socket, threadId, since);
  } finally {
    release();
  }
}

/**
 * Takes the thread's slot before the first await: checked later, concurrent joins on one
 * socket would all see the same free count. Returns its release, or null when none is free.
 */
function reserveSlot(ctx: JoinContext, socket: ParleySocket, threadId: string): (() => void) | null {
  const pending = ctx.pending.get(socket);
  const held = new Set([...socket.rooms].filter((room) => room.startsWith('thread:')));
  for (const id of pending ?? []) held.add(threadRoom(id));
  if (held.has(threadRoom(threadId))) return () => {};
  if (held.size >= MAX_THREADS_PER_SOCKET) return null;
  const mine = pending ?? new Set<string>();
  ctx.pending.set(socket, mine.add(threadId));
  return () => {
    mine.delete(threadId);
    if (mine.size === 0) ctx.pending.delete(socket);
  };
}

/** Counted like other actions: by the reader's address and the reader, if any. */
function replayKeys(ctx: JoinContext, socket: ParleySocket): string[] {
  return limitKeys(hashIp(ctx.deps.secret, ctx.infoOf(socket.conn).address), socket.data.actor?.userId);
}

/** Called once the socket is in the room: whatever the reads below do not see arrives live. */
async function replaySince(deps: Deps, socket: ParleySocket, threadId: string, since: string): Promise<JoinAck> {
  const target = await readJoinTarget(deps.db, threadId);
  if (!target) throw new NotFound('Thread');
  if (BigInt(since) < target.prunedThrough) return mustReread(target);
  if (BigInt(since) >= BigInt(target.latestCursor)) return { ok: true, cursor: since, missed: 0, truncated: false };
  const missed = await readThreadEventsSince(deps.db, {
    threadId, since, viewerId: socket.data.actor?.userId ?? null, limit: MAX_REPLAY,
  });
  // A prune that ran between the two reads took events the replay would have carried.
  const now = await readJoinTarget(deps.db, threadId);
  if (now && BigInt(since) < now.prunedThrough) return mustReread(now);
  const replay = missed.events;
  for (const event of replay) {
    socket.emit(event.type as keyof ServerToClientEvents, { ...event.payload, cursor: event.cursor, threadId } as never);
  }
  const cursor = missed.through;
  return { ok: true, cursor, missed: replay.length, truncated: missed.more };
}

/** The log no longer reaches back to the client's cursor: it re-reads the thread (the widget does on truncated). */
function mustReread(target: JoinTarget): JoinAck {
  return { ok: true, cursor: target.latestCursor, missed: 0, truncated: true };
}

/**
 * Relays thread changes to the rooms that may see them, as the log replays them, and the
 * queues' changes and imports' progress to the site's moderators (who re-read the queue: no
 * text travels here).
 */
export function relayDomainEvents(deps: Deps, io: ParleyServer): () => void {
  const offs = threadChangeNames.map((name) => deps.events.on(name, (event) => {
    const { siteId: _site, audienceUserId, ...live } = event as ThreadChange;
    const room = audienceUserId ? userRoom(audienceUserId) : threadRoom(event.threadId);
    io.to(room).emit(socketEventName(name), live as never);
  }));
  offs.push(deps.events.on('moderation.changed', ({ siteId, commentId, status, flagCount }) => {
    io.to(modRoom(siteId)).emit('mod:changed', { commentId, status: status as CommentStatus, flagCount });
  }));
  // An import's progress and end go to the site's staff only: a file's counts are not the readers' business.
  offs.push(deps.events.on('import.progress', ({ siteId, progress }) => { io.to(modRoom(siteId)).emit('import:progress', progress); }));
  offs.push(deps.events.on('import.finished', ({ siteId, outcome }) => { io.to(modRoom(siteId)).emit('import:finished', outcome); }));
  return () => offs.forEach((off) => off());
}
