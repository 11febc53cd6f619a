import cookieParser from 'cookie-parser';
import { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { FLAG_REASONS } from '../../shared/api.js';
import { guestAuthor } from '../comments/schemas.js';
import type { Caller, Deps } from '../deps.js';
import { AuthRequired } from '../errors.js';
import { callerOf } from '../http/actor.js';
import { csrfGuard, ownPageCaller, SESSION_COOKIE } from '../http/own-session.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import { readAudit } from './audit-read.js';
import { COMMENT_ACTIONS, moderateComment } from './comment-actions.js';
import { flagComment } from './flags.js';
import { listQueue, queueQuery } from './queue.js';
import { moderateThread, THREAD_ACTIONS } from './thread-actions.js';
import { banAddress, moderateUser, USER_ACTIONS } from './user-actions.js';

const idParams = z.object({ id: z.uuid('not an id') });
const reason = z.string().trim().max(500).optional();
export const commentActionBody = z.strictObject({ action: z.enum(COMMENT_ACTIONS), reason, body: z.string().max(10_000).optional() });
export const bulkBody = z.strictObject({ ids: z.array(z.uuid()).min(1).max(100), action: z.enum(COMMENT_ACTIONS).exclude(['edit']), reason });
export const threadActionBody = z.strictObject({ action: z.enum(THREAD_ACTIONS) });
export const userActionBody = z.strictObject({ site: z.string().min(1).max(64), action: z.enum(USER_ACTIONS), until: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).optional(), reason });
export const addressBanBody = z.strictObject({
  site: z.string().min(1).max(64), email: z.email().max(254).optional(), ipHash: z.string().regex(/^[\w-]{20,100}$/).optional(),
  kind: z.enum(['ban', 'shadowban']).default('ban'), reason,
});
const auditQuery = z.object({ site: z.string().min(1).max(64), before: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
export const flagBody = z.strictObject({ reason: z.enum(FLAG_REASONS), note: z.string().trim().max(500).optional(), author: guestAuthor.optional() });

/**
 * Moderation answers a bearer token (a script, a moderator's tools) or the dashboard's cookie;
 * a cookie's state-changing request must carry its CSRF token and come from Parley's origin.
 */
function moderatorCallers(deps: Deps): { callerOf: (req: Request) => Promise<Caller>; csrf: RequestHandler } {
  const guard = csrfGuard(deps);
  const bearer = (req: Request) => req.get('authorization') !== undefined;
  return {
    callerOf: async (req) => {
      if (bearer(req)) return callerOf(deps, req);
      const caller = await ownPageCaller(deps, req);
      if (!caller.actor) throw new AuthRequired('Moderators sign in first.');
      return caller;
    },
    // Without the cookie there is nothing to forge: the caller is then refused as nobody (401).
    csrf: (req, res, next) => (bearer(req) || !(req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE] ? next() : guard.protect(req, res, next)),
  };
}

export function moderationRoutes(deps: Deps): Router {
  const router = Router();
  const { callerOf: moderatorOf, csrf } = moderatorCallers(deps);
  router.use('/mod', cookieParser());

  router.get('/mod/queue', async (req, res) => {
    res.json(await listQueue(deps, await moderatorOf(req), parseQuery(queueQuery, req)));
  });
  router.post('/mod/comments/bulk', csrf, async (req, res) => {
    const body = parseBody(bulkBody, req);
    const caller = await moderatorOf(req);
    const results = [];
    // One transaction each: a comment another moderator changed meanwhile fails alone.
    for (const id of body.ids) {
      results.push(await moderateComment(deps, caller, { commentId: id, action: body.action, reason: body.reason })
        .then(({ comment }) => ({ id, ok: true as const, comment }), (err: Error & { code?: string }) => ({ id, ok: false as const, error: { code: err.code ?? 'internal_error', message: err.message } })));
    }
    res.json({ results });
  });
  router.post('/mod/comments/:id', csrf, async (req, res) => {
    const { id } = parseParams(idParams, req);
    const body = parseBody(commentActionBody, req);
    res.json(await moderateComment(deps, await moderatorOf(req), { commentId: id, ...body }));
  });
  router.post('/mod/threads/:id', csrf, async (req, res) => {
    const { id } = parseParams(idParams, req);
    res.json(await moderateThread(deps, await moderatorOf(req), { threadId: id, ...parseBody(threadActionBody, req) }));
  });
  router.post('/mod/users/:id', csrf, async (req, res) => {
    const { id } = parseParams(idParams, req);
    res.json(await moderateUser(deps, await moderatorOf(req), { userId: id, ...parseBody(userActionBody, req) }));
  });
  router.post('/mod/bans', csrf, async (req, res) => {
    res.status(201).json(await banAddress(deps, await moderatorOf(req), parseBody(addressBanBody, req)));
  });
  router.get('/mod/audit', async (req, res) => {
    res.json(await readAudit(deps, await moderatorOf(req), parseQuery(auditQuery, req)));
  });

  router.post('/comments/:id/flag', async (req, res) => {
    const { id } = parseParams(idParams, req);
    res.json(await flagComment(deps, await callerOf(deps, req), { commentId: id, ...parseBody(flagBody, req) }));
  });
  return router;
}
