import { roleOn } from '../auth/accounts.js';
import { assertCallerOnSite, requireActor } from '../auth/service.js';
import type { DbOrTx } from '../db/index.js';
import type { Actor, Caller, Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { Forbidden } from '../errors.js';
import type { Site } from '../sites/service.js';
import { canModerate } from './policy.js';

/**
 * The moderator behind a call about one site: a session that may moderate (the dashboard's
 * cookie, or a token from /auth/login), from no page or a page of that site or of Parley, held
 * by a moderator or admin of that very site. Anyone else gets 403, whatever the target.
 */
export async function requireModeratorOf(
  deps: Deps,
  caller: Caller,
  site: Pick<Site, 'id' | 'allowedOrigins' | 'enabled'>,
  /** The action's transaction when there is one: a second connection per action would starve the pool under a race. */
  db: DbOrTx = deps.db,
): Promise<Actor> {
  const actor = requireActor(caller, 'moderate', 'Moderators sign in first.');
  assertCallerOnSite(caller, site, ownOrigin(deps));
  if (!canModerate(await roleOn(db, site.id, actor.userId))) throw new Forbidden('Only moderators of this site may do that.');
  return actor;
}
