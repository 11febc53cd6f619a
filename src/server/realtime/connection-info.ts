import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';

type EngineSocket = Socket['conn'];

/** All a connection keeps of its handshake request: the two strings its checks read later. */
export interface ConnectionInfo {
  /** The reader's address, through trusted proxies: limits count by it. */
  address: string;
  /** The page's Origin as the browser sent it; undefined for non-browser clients. */
  origin: string | undefined;
}

/**
 * Reads what later checks need from each handshake request, then lets the request go. Engine.io
 * would keep it for the connection's life only for `socket.request` and
 * `socket.handshake.headers`, which Parley does not read. Must be registered before any other
 * engine 'connection' listener that wants the address: those call `infoOf` instead.
 */
export function keepConnectionInfo(
  io: Pick<Server, 'engine'>, clientAddress: (req: IncomingMessage) => string,
): (conn: EngineSocket) => ConnectionInfo {
  // Weak: an entry lives exactly as long as its connection, with nothing to clean up.
  const infos = new WeakMap<EngineSocket, ConnectionInfo>();
  io.engine.on('connection', (conn: EngineSocket) => {
    const req = conn.request;
    infos.set(conn, { address: clientAddress(req), origin: req.headers.origin });
    (conn as { request: IncomingMessage | null }).request = null;
    emptyRequest(req);
  });
  return (conn) => {
    const info = infos.get(conn);
    if (!info) throw new Error('A socket connected without passing keepConnectionInfo.');
    return info;
  };
}

/**
 * Engine.io's stand-in response for an upgrade listens for the socket's close, and so holds the
 * request until then, whatever we drop. Its contents, though, serve nobody once the handshake is
 * done: the headers, raw and parsed, and the parsed query are most of its weight.
 */
function emptyRequest(req: IncomingMessage & { _query?: unknown }): void {
  req.headers = {};
  req.rawHeaders = [];
  req._query = undefined;
}
