/**
 * "N reading now": how many connections follow a thread, told to its room when it changes, at
 * most every PRESENCE_INTERVAL_MS per thread (a burst of arrivals is one message). Counted from
 * the adapter's rooms as readers join and leave (a closed tab leaves every room), so nothing is
 * stored. Each process counts its own connections: behind several processes a thread's figure
 * is the number on the reader's process.
 */
import type { ParleyServer } from './sockets.js';

export const PRESENCE_INTERVAL_MS = 2000;
const PREFIX = 'thread:';

export function trackPresence(io: ParleyServer, intervalMs = PRESENCE_INTERVAL_MS): () => void {
  const rooms = io.of('/').adapter.rooms;
  /** Threads with a message sent within the interval, and whether they changed since. */
  const recent = new Map<string, { timer: NodeJS.Timeout; changed: boolean }>();

  function tell(room: string) {
    const count = rooms.get(room)?.size ?? 0;
    if (count > 0) io.to(room).emit('thread:presence', { threadId: room.slice(PREFIX.length), count });
    const timer = setTimeout(() => {
      const entry = recent.get(room);
      recent.delete(room);
      if (entry?.changed) tell(room);
    }, intervalMs);
    timer.unref();
    recent.set(room, { timer, changed: false });
  }

  function changed(room: string) {
    if (!room.startsWith(PREFIX)) return;
    const entry = recent.get(room);
    if (entry) entry.changed = true;
    else tell(room);
  }

  const adapter = io.of('/').adapter;
  adapter.on('join-room', changed);
  adapter.on('leave-room', changed);
  return () => {
    adapter.off('join-room', changed);
    adapter.off('leave-room', changed);
    for (const { timer } of recent.values()) clearTimeout(timer);
  };
}
