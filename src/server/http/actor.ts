import type { Request } from 'express';
import { hashToken, resolveSession } from '../auth/service.js';
import type { Actor, Caller, Deps } from '../deps.js';
import { Unauthorized } from '../errors.js';
import { originOf } from '../sites/service.js';

/** The reader behind `Authorization: Bearer`, or null for an anonymous request. */
export async function actorOf(deps: Deps, req: Request): Promise<Actor | null> {
  const header = req.get('authorization');
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header);
  if (!match) throw new Unauthorized('The Authorization header must be "Bearer <token>".');
  const actor = await resolveSession(deps, match[1]);
  // Parley's own pages' session lives in their cookie; as a bearer it would carry account powers to any page.
  if (actor.scope === 'full') throw new Unauthorized('This session belongs to Parley\'s own pages.');
  return actor;
}

/**
 * Who asks: the session's actor, the page origin the browser sends (a browser cannot forge
 * it; without one the request is not a page's), and the address rate limits count.
 */
export async function callerOf(deps: Deps, req: Request): Promise<Caller> {
  const origin = req.get('origin');
  const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
  return {
    actor: await actorOf(deps, req), origin: origin ? originOf(origin) ?? origin : null, ip: req.ip,
    sessionTokenHash: token ? hashToken(token) : undefined,
  };
}
