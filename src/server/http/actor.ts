import type { Request } from 'express';
import { resolveSession } from '../auth/service.js';
import type { Actor, Deps } from '../deps.js';
import { Unauthorized } from '../errors.js';

/** The reader behind `Authorization: Bearer`, or null for an anonymous request. */
export async function actorOf(deps: Deps, req: Request): Promise<Actor | null> {
  const header = req.get('authorization');
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header);
  if (!match) throw new Unauthorized('The Authorization header must be "Bearer <token>".');
  return resolveSession(deps, match[1]);
}
