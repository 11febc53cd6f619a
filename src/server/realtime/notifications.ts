import type { Deps } from '../deps.js';
import { userRoom } from './sockets.js';

/** Anything that reaches a room: the socket server here, or an emitter in a worker process (through the adapter's Redis or PostgreSQL). */
export interface RoomEmitter {
  to(room: string): { emit(event: 'notification:new', payload: { siteId: string; unread: number }): unknown };
}

/** A reader's new notice goes to their user room: every widget of theirs updates its count. */
export function relayNotifications(deps: Deps, rooms: RoomEmitter): () => void {
  return deps.events.on('notification.created', ({ userId, siteId, unread }) => {
    rooms.to(userRoom(userId)).emit('notification:new', { siteId, unread });
  });
}
