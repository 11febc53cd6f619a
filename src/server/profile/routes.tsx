/**
 * The reader's account on Parley's own pages (the full session in the first-party cookie, a
 * CSRF token in every form) and members' public profiles, as pages and as JSON. Thin: parse,
 * call the service, answer.
 */
import cookieParser from 'cookie-parser';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { changePassword, requestEmailChange, signOutEverywhere } from '../auth/accounts.js';
import { MessagePage, withReturnTo } from '../auth/pages.js';
import type { Caller, Deps } from '../deps.js';
import { AppError, NotFound } from '../errors.js';
import { clearSessionCookie, csrfGuard, ownPageCaller, type CsrfGuard } from '../http/own-session.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import { sendOwnPage } from '../own-pages/layout.js';
import { exportAccountData } from './export.js';
import { AccountDeletedPage, AccountPage, PublicProfilePage } from './pages.js';
import { readPublicProfile } from './public.js';
import { accountNotices, accountQuery, buttonForm, deleteForm, emailForm, passwordForm, profileForm, profileQuery, userParams } from './schemas.js';
import { claimGuestComments, deleteAccount, getAccount, updateProfile } from './service.js';

type OwnCaller = Caller & { token: string | null };

async function showAccount(deps: Deps, csrf: CsrfGuard, req: Request, res: Response, caller: OwnCaller, messages: { error?: string; notice?: string }, status = 200) {
  const { account, claim } = await getAccount(deps, caller);
  sendOwnPage(res, <AccountPage csrf={csrf.tokenFor(req, res)} account={account} claim={claim} {...messages} />, { title: 'Your account', status });
}

/** /account and its forms, /u/:id. */
export function accountPageRoutes(deps: Deps): Router {
  const router = Router();
  const csrf = csrfGuard(deps);
  router.use(['/account', '/u'], cookieParser(), express.urlencoded({ extended: false, limit: '16kb' }));
  const toSignIn = (res: Response) => { res.redirect(303, withReturnTo('/auth/signin', '/account')); };

  /**
   * A form of the account page: a signed-out reader is sent to sign in; a refusal (a wrong
   * password, a bad field) shows the account page again with the reason.
   */
  const accountForm = (work: (req: Request, res: Response, caller: OwnCaller) => Promise<void>) =>
    async (req: Request, res: Response) => {
      const caller = await ownPageCaller(deps, req);
      if (!caller.actor) { toSignIn(res); return; }
      try {
        await work(req, res, caller);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        await showAccount(deps, csrf, req, res, caller, { error: err.message }, err.status);
      }
    };

  router.get('/account', async (req, res) => {
    const { done } = parseQuery(accountQuery, req);
    const caller = await ownPageCaller(deps, req);
    if (!caller.actor) { toSignIn(res); return; }
    await showAccount(deps, csrf, req, res, caller, { notice: done && accountNotices[done] });
  });

  router.post('/account/profile', csrf.protect, accountForm(async (req, res, caller) => {
    const form = parseBody(profileForm, req);
    await updateProfile(deps, caller, form);
    res.redirect(303, '/account?done=profile');
  }));

  router.post('/account/password', csrf.protect, accountForm(async (req, res, caller) => {
    const form = parseBody(passwordForm, req);
    await changePassword(deps, caller, { current: form.current, next: form.next });
    res.redirect(303, '/account?done=password');
  }));

  router.post('/account/email', csrf.protect, accountForm(async (req, res, caller) => {
    const form = parseBody(emailForm, req);
    await requestEmailChange(deps, caller, form);
    res.redirect(303, '/account?done=email');
  }));

  router.post('/account/sessions/end-all', csrf.protect, accountForm(async (req, res, caller) => {
    parseBody(buttonForm, req);
    await signOutEverywhere(deps, caller);
    clearSessionCookie(deps, res);
    res.redirect(303, '/auth/signin');
  }));

  router.post('/account/claim-guest-comments', csrf.protect, accountForm(async (req, res, caller) => {
    parseBody(buttonForm, req);
    await claimGuestComments(deps, caller);
    res.redirect(303, '/account?done=claimed');
  }));

  router.post('/account/delete', csrf.protect, accountForm(async (req, res, caller) => {
    const form = parseBody(deleteForm, req);
    await deleteAccount(deps, caller, { comments: form.comments });
    clearSessionCookie(deps, res);
    sendOwnPage(res, <AccountDeletedPage />, { title: 'Account deleted' });
  }));

  router.get('/account/export', async (req, res) => {
    const caller = await ownPageCaller(deps, req);
    if (!caller.actor) { toSignIn(res); return; }
    const data = await exportAccountData(deps, caller);
    res.set({ 'Cache-Control': 'no-store', 'Content-Disposition': 'attachment; filename="parley-account.json"' })
      .type('application/json').send(JSON.stringify(data, null, 2));
  });

  router.get('/u/:id', async (req, res) => {
    const id = userParams.safeParse(req.params);
    if (!id.success) throw new NotFound('User');
    const query = parseQuery(profileQuery, req);
    const profile = await readPublicProfile(deps, { userId: id.data.id, before: query.before, limit: query.limit });
    const olderHref = profile.nextCursor ? `/u/${profile.user.id}?before=${encodeURIComponent(profile.nextCursor)}` : null;
    sendOwnPage(res, <PublicProfilePage profile={profile} olderHref={olderHref} />, { title: profile.user.displayName, wide: true });
  });

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof AppError)) { next(err); return; }
    sendOwnPage(res, <MessagePage title="Something is not right"><p class="error">{err.message}</p></MessagePage>, { title: 'Something is not right', status: err.status });
  });
  return router;
}

/** GET /api/v1/users/:id: a member's public profile as JSON, paged as the page is. */
export function userApiRoutes(deps: Deps): Router {
  const router = Router();
  router.get('/users/:id', async (req, res) => {
    const { id } = parseParams(userParams, req);
    const query = parseQuery(profileQuery, req);
    res.json(await readPublicProfile(deps, { userId: id, before: query.before, limit: query.limit }));
  });
  return router;
}
