/**
 * The site's queues, live: the dashboard's socket (same origin: its cookie is its session)
 * joins the site's moderators' room, and every `mod:changed` makes the open view re-read.
 * A reconnection re-reads too: what changed while away is in the page it gets.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ModJoinAck, ServerToClientEvents } from '../../shared/api.js';

export interface LiveHooks {
  changed(): void;
  /** Joined (again): whatever changed meanwhile is to be read. */
  joined(): void;
  state(text: string): void;
  /** The session was signed out: nothing more will come. */
  revoked(): void;
}

export function followQueues(site: string, hooks: LiveHooks): void {
  // The cookie goes with the handshake by itself; `cookie: true` asks the server to take it as the session.
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(location.origin, { transports: ['websocket', 'polling'], auth: { cookie: true } });
  socket.on('connect', () => {
    socket.timeout(10_000).emit('mod:join', { site }, (err: Error | null, ack: ModJoinAck) => {
      if (err) hooks.state('Live updates: no answer; the page shows what it had.');
      else if (!ack.ok) hooks.state(`Live updates are off: ${ack.error.message}`);
      else {
        hooks.state('Live updates: on.');
        hooks.joined();
      }
    });
  });
  socket.on('disconnect', () => hooks.state('Live updates: reconnecting…'));
  socket.on('mod:changed', () => hooks.changed());
  socket.on('session:revoked', () => {
    socket.disconnect();
    hooks.revoked();
  });
}
