/**
 * Parley's own sign-in pages: plain forms posted to Parley's origin, the full session in a
 * first-party cookie, a CSRF token in every form. The widget's popup is one of them: once the
 * reader is signed in here, it hands a site-bound embed token to the page that opened it.
 */
import cookieParser from 'cookie-parser';
import express, { Router, type Request, type Response } from 'express';
import type { ComponentChildren } from 'preact';
import { z } from 'zod';
import type { PopupSignInMessage } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { AppError, BadRequest } from '../errors.js';
import { clearSessionCookie, csrfGuard, ownPageCaller, setSessionCookie } from '../http/own-session.js';
import { parseBody, parseQuery } from '../http/validate.js';
import { ownPageErrors, scriptJson, sendOwnPage } from '../own-pages/layout.js';
import { findSiteBySlug } from '../sites/service.js';
import {
  apiUserOf, confirmEmailChange, displayNameSchema, emailSchema, passwordSchema, requestPasswordReset, requestSignInLink, resetPassword, signInWithLink, signOut,
  signUp, startSession, verifyEmail, type SignedInUser,
} from './accounts.js';
import { mailTokenUsable } from './mail-tokens.js';
import {
  ConfirmLinkPage, ForgotPage, MessagePage, ResetPage, SignInPage, SignUpPage, withReturnTo, type FormContext, type ProviderLink,
} from './pages.js';
import { authenticateWith, type ParleyPassport } from './passport.js';
import { safeReturnTo } from './return-to.js';

const csrfField = z.string().max(500).optional();
const returnToField = z.string().max(2_000).optional();
const signInForm = z.strictObject({ email: emailSchema, password: z.string().min(1).max(200), returnTo: returnToField, _csrf: csrfField });
const signUpForm = z.strictObject({ email: emailSchema, password: passwordSchema, displayName: displayNameSchema, returnTo: returnToField, _csrf: csrfField });
const emailForm = z.strictObject({ email: emailSchema, returnTo: returnToField, _csrf: csrfField });
const tokenForm = z.strictObject({ token: z.string().min(20).max(200), _csrf: csrfField });
const resetForm = tokenForm.extend({ password: passwordSchema });
const tokenQuery = z.object({ token: z.string().min(20).max(200) });
const returnToQuery = z.object({ returnTo: returnToField });
const popupQuery = z.object({ site: z.string().min(1).max(64), origin: z.string().min(1).max(300) });

/** What the sign-in routes need besides the service: the providers to offer (auth/oidc.ts). */
export interface SignInPageOptions {
  providers: () => ProviderLink[];
}

export function signInPageRoutes(deps: Deps, passport: ParleyPassport, options: SignInPageOptions): Router {
  const router = Router();
  const csrf = csrfGuard(deps);
  const returnToOf = (value: unknown) => safeReturnTo(value, ownOrigin(deps));
  router.use(cookieParser(), express.urlencoded({ extended: false, limit: '16kb' }));
  const ctxOf = (req: Request, res: Response, extra: Partial<FormContext> = {}): FormContext => ({
    csrf: csrf.tokenFor(req, res), returnTo: returnToOf(req.query.returnTo ?? (req.body as { returnTo?: unknown } | undefined)?.returnTo), ...extra,
  });
  const page = (res: Response, title: string, body: ComponentChildren, status = 200) => sendOwnPage(res, body, { title, status });
  const signInPage = (req: Request, res: Response, extra: Partial<FormContext> = {}, status = 200) =>
    page(res, 'Sign in', <SignInPage ctx={ctxOf(req, res, extra)} providers={options.providers()} />, status);
  const afterSignIn = async (res: Response, userId: string, returnTo: string | null) => {
    setSessionCookie(deps, res, await startSession(deps, { userId, siteId: null, scope: 'full' }));
    res.redirect(303, returnTo ?? '/account');
  };

  router.get('/auth/signin', (req, res) => { parseQuery(returnToQuery, req); signInPage(req, res); });
  router.post('/auth/signin', csrf.protect, async (req, res) => {
    const form = parseBody(signInForm, req);
    try {
      const user = await authenticateWith<SignedInUser>(passport, 'local', req, res);
      await afterSignIn(res, user.id, returnToOf(form.returnTo));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      signInPage(req, res, { error: err.message }, err.status);
    }
  });

  router.get('/auth/signup', (req, res) => { page(res, 'Create an account', <SignUpPage ctx={ctxOf(req, res)} />); });
  router.post('/auth/signup', csrf.protect, async (req, res) => {
    const form = parseBody(signUpForm, req);
    const returnTo = returnToOf(form.returnTo);
    await signUp(deps, await ownPageCaller(deps, req), { ...form, returnTo });
    page(res, 'Check your mail', (
      <MessagePage title="Check your mail">
        <p>{`We sent a link to ${form.email}. Follow it to confirm your address, then sign in.`}</p>
        <p><a class="button secondary" href={withReturnTo('/auth/signin', returnTo)}>I have confirmed my address: sign in</a></p>
      </MessagePage>
    ), 202);
  });

  router.get('/auth/verify', async (req, res) => {
    const { token } = parseQuery(tokenQuery, req);
    const { returnTo } = await verifyEmail(deps, token);
    page(res, 'Address confirmed', (
      <MessagePage title="Address confirmed">
        <p>Your email address is confirmed.</p>
        <p><a class="button" href={withReturnTo('/auth/signin', returnTo)}>Sign in</a></p>
      </MessagePage>
    ));
  });

  router.get('/auth/forgot', (req, res) => { page(res, 'Forgot your password?', <ForgotPage ctx={ctxOf(req, res)} />); });
  router.post('/auth/forgot', csrf.protect, async (req, res) => {
    const form = parseBody(emailForm, req);
    await requestPasswordReset(deps, await ownPageCaller(deps, req), { email: form.email, returnTo: returnToOf(form.returnTo) });
    page(res, 'Check your mail', <MessagePage title="Check your mail"><p>If an account uses that address, a reset link is on its way.</p></MessagePage>, 202);
  });
  router.get('/auth/reset', async (req, res) => {
    const { token } = parseQuery(tokenQuery, req);
    if (!(await mailTokenUsable(deps.db, 'reset', token, deps.now()))) throw new BadRequest('This link has expired or has been used already.');
    page(res, 'Choose a new password', <ResetPage ctx={ctxOf(req, res)} token={token} />);
  });
  router.post('/auth/reset', csrf.protect, async (req, res) => {
    const form = parseBody(resetForm, req);
    const { returnTo } = await resetPassword(deps, form);
    page(res, 'Password changed', (
      <MessagePage title="Password changed">
        <p>Your password is changed, and every device that was signed in is signed out.</p>
        <p><a class="button" href={withReturnTo('/auth/signin', returnTo)}>Sign in</a></p>
      </MessagePage>
    ));
  });

  router.post('/auth/link-request', csrf.protect, async (req, res) => {
    const form = parseBody(emailForm, req);
    await requestSignInLink(deps, await ownPageCaller(deps, req), { email: form.email, returnTo: returnToOf(form.returnTo) });
    const back = returnToOf(form.returnTo);
    page(res, 'Check your mail', (
      <MessagePage title="Check your mail">
        <p>If an account uses that address, a sign-in link is on its way. Open it in this browser.</p>
        {back && <p><a class="button secondary" href={back}>I have signed in: continue</a></p>}
      </MessagePage>
    ), 202);
  });
  router.get('/auth/link', (req, res) => {
    const { token } = parseQuery(tokenQuery, req);
    page(res, 'Sign in', <ConfirmLinkPage ctx={ctxOf(req, res)} token={token} title="Sign in" action="/auth/link" button="Sign in to Parley" />);
  });
  router.post('/auth/link', csrf.protect, async (req, res) => {
    const form = parseBody(tokenForm, req);
    const { user, returnTo } = await signInWithLink(deps, form.token);
    await afterSignIn(res, user.id, returnTo);
  });

  router.get('/auth/email', (req, res) => {
    const { token } = parseQuery(tokenQuery, req);
    page(res, 'Confirm your new address', <ConfirmLinkPage ctx={ctxOf(req, res)} token={token} title="Confirm your new address" action="/auth/email" button="Use this address" />);
  });
  router.post('/auth/email', csrf.protect, async (req, res) => {
    const form = parseBody(tokenForm, req);
    await confirmEmailChange(deps, form.token);
    page(res, 'Address changed', (
      <MessagePage title="Address changed">
        <p>Your account uses its new address from now on.</p>
        <p><a class="button" href="/account">Your account</a></p>
      </MessagePage>
    ));
  });

  router.post('/auth/signout', csrf.protect, async (req, res) => {
    const caller = await ownPageCaller(deps, req);
    if (caller.token) await signOut(deps, caller.token);
    clearSessionCookie(deps, res);
    res.redirect(303, '/auth/signin');
  });

  router.get('/auth/popup', async (req, res) => {
    const query = parseQuery(popupQuery, req);
    const site = await findSiteBySlug(deps, query.site);
    // Only a page of the site receives a token: the origin it names is where postMessage sends it.
    if (!site?.enabled || !site.allowedOrigins.includes(query.origin)) {
      throw new BadRequest('This page may not sign readers in to that site.');
    }
    const caller = await ownPageCaller(deps, req);
    if (!caller.actor || caller.actor.isGuest) {
      res.redirect(303, withReturnTo('/auth/signin', req.originalUrl));
      return;
    }
    const session = await startSession(deps, { userId: caller.actor.userId, siteId: site.id, scope: 'embed' });
    const message: PopupSignInMessage = { type: 'parley:signed-in', site: site.slug, session, user: await apiUserOf(deps, caller.actor.userId, site.id) };
    sendOwnPage(res, (
      <MessagePage title="Signed in">
        <p id="status">{`Signed in as ${caller.actor.displayName}. This window closes by itself.`}</p>
      </MessagePage>
    ), { title: 'Signed in', script: handOffScript(message, query.origin) });
  });

  router.use(ownPageErrors);
  return router;
}

/** Posts the token to the page that opened the popup, and only if that page is on `origin`. */
function handOffScript(message: PopupSignInMessage, origin: string): string {
  return `(function () {
  var message = ${scriptJson(message)}, origin = ${scriptJson(origin)};
  if (window.opener) { window.opener.postMessage(message, origin); window.close(); }
  else { document.getElementById('status').textContent = 'You are signed in. Return to the page you came from and sign in there again.'; }
})();`;
}
