import type { ExtendedError, Server, Socket } from 'socket.io';

type EngineSocket = Socket['conn'];

/**
 * Caps the connections one client address holds at once in this process. Counted per
 * transport connection (every handshake, whether or not it joins a namespace), and checked
 * in the same tick as the count goes up, so concurrent handshakes cannot overshoot.
 *
 * The address is the reader's as Express sees it (TRUST_PROXY's rules applied to
 * X-Forwarded-For), so behind a reverse proxy readers are not all counted as the proxy. It is
 * asked of `addressOf`, as the handshake request may already be released.
 */
export function capConnectionsPerIp(
  io: Pick<Server, 'engine'>, limit: number, addressOf: (conn: EngineSocket) => string,
): (socket: { conn: EngineSocket }, next: (err?: ExtendedError) => void) => void {
  const open = new Map<string, number>();
  const overLimit = new WeakSet<EngineSocket>();
  // One listener shared by every connection (the emitter is `this`), rather than a closure each.
  function onClose(this: EngineSocket) {
    const ip = addressOf(this);
    const left = (open.get(ip) ?? 1) - 1;
    if (left > 0) open.set(ip, left);
    else open.delete(ip);
  }
  io.engine.on('connection', (conn: EngineSocket) => {
    const ip = addressOf(conn);
    const count = open.get(ip) ?? 0;
    if (count >= limit) {
      overLimit.add(conn);
      return;
    }
    open.set(ip, count + 1);
    conn.on('close', onClose);
  });
  // Refused as the namespace connects rather than at the handshake: only there does the client get a readable reason.
  return (socket, next) => {
    if (!overLimit.has(socket.conn)) return next();
    const err: ExtendedError = new Error(`At most ${limit} connections per address.`);
    err.data = { code: 'rate_limited' };
    next(err);
    // socket.io sends the refusal on the next tick; close after it, not before, and hold nothing uncounted.
    setImmediate(() => socket.conn.close());
  };
}
