/**
 * A site's forum room: open forum lists follow new topics and activity there. Joining needs
 * no session (the lists are public), only a page allowed to read the site: Parley's own (the
 * forum) or one of the site's. Joins only; the events come from the forum's domain events.
 */
import type { Socket } from 'socket.io';
import { z } from 'zod';
import type { ModJoinAck } from '../../shared/api.js';
import { ErrorCodes } from '../../shared/errors.js';
import { assertCallerOnSite } from '../auth/service.js';
import type { Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { getSiteBySlug } from '../sites/service.js';

export const forumRoom = (siteId: string) => `forum:${siteId}`;
const joinRequest = z.object({ site: z.string().min(1).max(64) });

/** `forum:join {site}`: sockets.ts answers through its ack wrapper (errors become their codes). */
export async function joinForum(deps: Deps, origin: string | undefined, socket: Pick<Socket, 'join'>, req: unknown): Promise<ModJoinAck> {
  const parsed = joinRequest.safeParse(req);
  if (!parsed.success) return { ok: false, error: { code: ErrorCodes.validation, message: 'site must be a site\'s slug.' } };
  const site = await getSiteBySlug(deps, parsed.data.site);
  assertCallerOnSite({ actor: null, origin: origin ?? null }, site, ownOrigin(deps));
  await socket.join(forumRoom(site.id));
  return { ok: true };
}

/** Relays the forum's domain events to the sites' forum rooms. */
export function relayForumEvents(deps: Deps, io: { to(room: string): { emit(event: string, payload: unknown): unknown } }): () => void {
  const offs = [
    deps.events.on('topic.created', ({ siteId, topic }) => { io.to(forumRoom(siteId)).emit('topic:created', topic); }),
    deps.events.on('comment.created', (event) => {
      // Published posts only: a held one is news to its author and the moderators, not to the lists.
      if (event.audienceUserId !== null || event.comment.status !== 'approved') return;
      io.to(forumRoom(event.siteId)).emit('topic:activity', { threadId: event.threadId, lastActivityAt: event.comment.createdAt });
    }),
  ];
  return () => offs.forEach((off) => off());
}
