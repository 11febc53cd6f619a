import { Router, type Request } from 'express';
import type { SignInResponse } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { AuthRequired } from '../errors.js';
import { callerOf } from '../http/actor.js';
import { parseBody } from '../http/validate.js';
import { getSiteBySlug } from '../sites/service.js';
import { apiUserOf, requestPasswordReset, requestSignInLink, signOut, signUp, startSession, type SignedInUser } from './accounts.js';
import { authenticateWith, type ParleyPassport } from './passport.js';
import { loginBody, mailRequestBody, signUpBody, ssoBody } from './schemas.js';
import { assertCallerOnSite } from './service.js';

function bearerToken(req: Request): string {
  const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(req.get('authorization') ?? '');
  if (!match) throw new AuthRequired('Send the session to end as "Authorization: Bearer <token>".');
  return match[1];
}

/** The API's sign-in: tokens for widgets and scripts. Account changes are on Parley's own pages. */
export function authRoutes(deps: Deps, passport: ParleyPassport): Router {
  const router = Router();

  router.post('/auth/login', async (req, res) => {
    const body = parseBody(loginBody, req);
    const caller = await callerOf(deps, req);
    // A token bound to a site is asked for by (or for) that site's pages.
    const site = body.site ? await getSiteBySlug(deps, body.site) : null;
    if (site) assertCallerOnSite({ ...caller, actor: null }, site);
    const user = await authenticateWith<SignedInUser>(passport, 'local', req, res);
    const session = await startSession(deps, { userId: user.id, siteId: site?.id ?? null, scope: 'embed' });
    const reply: SignInResponse = { session, user: await apiUserOf(deps, user.id, site?.id ?? null) };
    res.json(reply);
  });

  router.post('/auth/sso', async (req, res) => {
    parseBody(ssoBody, req);
    res.json(await authenticateWith<SignInResponse>(passport, 'site-sso', req, res));
  });

  router.post('/auth/logout', async (req, res) => {
    const token = bearerToken(req);
    // Refuses a dead token with 401 like any other request; a live one ends.
    await callerOf(deps, req);
    await signOut(deps, token);
    res.json({ signedOut: true });
  });

  router.get('/me', async (req, res) => {
    const { actor } = await callerOf(deps, req);
    if (!actor) throw new AuthRequired('Send a session as "Authorization: Bearer <token>".');
    res.json({ user: await apiUserOf(deps, actor.userId, actor.siteId) });
  });

  // Mail-sending requests answer 202 whatever the address: nobody learns who has an account.
  router.post('/auth/signup', async (req, res) => {
    const body = parseBody(signUpBody, req);
    await signUp(deps, await callerOf(deps, req), { ...body, returnTo: null });
    res.status(202).json({ status: 'check-your-mail' });
  });
  router.post('/auth/password-reset', async (req, res) => {
    const body = parseBody(mailRequestBody, req);
    await requestPasswordReset(deps, await callerOf(deps, req), { ...body, returnTo: null });
    res.status(202).json({ status: 'check-your-mail' });
  });
  router.post('/auth/sign-in-link', async (req, res) => {
    const body = parseBody(mailRequestBody, req);
    await requestSignInLink(deps, await callerOf(deps, req), { ...body, returnTo: null });
    res.status(202).json({ status: 'check-your-mail' });
  });
  return router;
}
