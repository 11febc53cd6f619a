/**
 * "Continue with <provider>": `GET /auth/oidc/:id` sends the reader to the provider,
 * `GET /auth/oidc/:id/callback` brings them back signed in, with Parley's full session in its
 * first-party cookie (as the password form does). Between the two, the flow's PKCE verifier,
 * state, nonce and where to go afterwards live in a signed cookie of their own, sent to
 * `/auth/oidc` paths only and good for ten minutes: Parley keeps no server-side sessions.
 */
import cookieSession from 'cookie-session';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import * as client from 'openid-client';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { AppError, NotFound } from '../errors.js';
import { setSessionCookie } from '../http/own-session.js';
import { parseParams, parseQuery } from '../http/validate.js';
import { sendOwnPage } from '../own-pages/layout.js';
import { startSession, type SignedInUser } from './accounts.js';
import type { FlowOptions, OidcProvider, OidcProviders } from './oidc.js';
import { MessagePage, withReturnTo } from './pages.js';
import type { ParleyPassport } from './passport.js';
import { safeReturnTo } from './return-to.js';

const FLOW_COOKIE = 'parley_oidc';
const FLOW_MINUTES = 10;

const idParams = z.object({ id: z.string().min(1).max(64) });
const startQuery = z.object({ returnTo: z.string().max(2_000).optional() });

type Outcome = { user: SignedInUser } | { refused: true };

/** Runs one half of the provider's flow; a redirect to the provider answers the request, and then this never settles. */
function runStrategy(passport: ParleyPassport, provider: OidcProvider, phase: FlowOptions['phase'], req: Request, res: Response): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const done = (err: unknown, user: SignedInUser | false) => {
      if (err) reject(err);
      else resolve(user ? { user } : { refused: true });
    };
    const options: FlowOptions = { session: false, callbackURL: provider.callbackUrl(), phase };
    passport.authenticate(provider.strategy, options, done)(req, res, reject);
  });
}

/** What went wrong on the way back, said to the reader; the status says whose fault it was. */
function failureOf(err: unknown, provider: OidcProvider | undefined): { status: number; message: string } | null {
  const name = provider?.name ?? 'the provider';
  if (err instanceof AppError) return { status: err.status, message: err.message };
  // A network failure or a timeout talking to the provider.
  if ((err instanceof TypeError && err.message === 'fetch failed') || (err instanceof DOMException && ['TimeoutError', 'AbortError'].includes(err.name))) {
    return { status: 503, message: `${name} did not answer. Try again in a minute, or sign in another way.` };
  }
  // The answer did not check out: a forged or mixed-up state, a code used already, a bad ID token.
  if (err instanceof client.ClientError || err instanceof client.AuthorizationResponseError
    || err instanceof client.ResponseBodyError || err instanceof client.WWWAuthenticateChallengeError) {
    return { status: 400, message: `The answer from ${name} could not be accepted (it may have been used already). Start again.` };
  }
  return null;
}

export function oidcRoutes(deps: Deps, passport: ParleyPassport, providers: OidcProviders): Router {
  const router = Router();
  const https = () => deps.publicUrl.startsWith('https:');
  const flowCookie = cookieSession({
    name: FLOW_COOKIE, keys: [deps.secret], path: '/auth/oidc', httpOnly: true, sameSite: 'lax', maxAge: FLOW_MINUTES * 60_000,
  });
  const secureFlowCookie: RequestHandler = (req, _res, next) => {
    if (https()) {
      req.sessionOptions.secure = true;
      // Behind a TLS proxy not named in TRUST_PROXY the hop looks like plain http, and cookie-session
      // would then fail to set a Secure cookie without a word. Readers reach PUBLIC_URL, which is https.
      if (!req.secure) Object.defineProperty(req, 'protocol', { value: 'https', configurable: true });
    }
    next();
  };
  router.use('/auth/oidc', flowCookie, secureFlowCookie);

  const providerOf = (req: Request): OidcProvider => {
    const provider = providers.get(parseParams(idParams, req).id);
    if (!provider) throw new NotFound('Sign-in provider');
    return provider;
  };
  const failurePage = (res: Response, status: number, message: string, returnTo: string | null) => {
    sendOwnPage(res, (
      <MessagePage title="Signing in did not work">
        <p class="error">{message}</p>
        <p><a class="button" href={withReturnTo('/auth/signin', returnTo)}>Back to sign-in</a></p>
      </MessagePage>
    ), { title: 'Signing in did not work', status });
  };

  router.get('/auth/oidc/:id', async (req, res) => {
    const provider = providerOf(req);
    const { returnTo } = parseQuery(startQuery, req);
    await provider.ready();
    // A new flow replaces any earlier one of this browser; an off-site returnTo is dropped here.
    req.session = { returnTo: safeReturnTo(returnTo, ownOrigin(deps)) };
    await runStrategy(passport, provider, 'start', req, res);
    throw new Error(`the ${provider.strategy} strategy neither redirected nor failed`);
  });

  // The provider's answer (code, state, iss; or error) is read from the URL and checked by openid-client.
  router.get('/auth/oidc/:id/callback', async (req, res) => {
    const provider = providerOf(req);
    const returnTo = safeReturnTo(req.session?.returnTo, ownOrigin(deps));
    // No flow of this browser to finish: expired, finished already, or never started here.
    const flowStarted = Boolean(req.session?.[provider.strategy]);
    try {
      await provider.ready();
      const outcome = await runStrategy(passport, provider, 'callback', req, res);
      if ('refused' in outcome) {
        // With a flow to finish, the strategy refuses only what the provider denied (access_denied).
        failurePage(res, 401, flowStarted
          ? `You did not let ${provider.name} sign you in to Parley.`
          : `This sign-in with ${provider.name} has expired or was finished already. Start again.`, returnTo);
        return;
      }
      setSessionCookie(deps, res, await startSession(deps, { userId: outcome.user.id, siteId: null, scope: 'full' }));
      res.redirect(303, returnTo ?? '/account');
    } catch (err) {
      const failure = failureOf(err, provider);
      if (!failure) throw err;
      failurePage(res, failure.status, failure.message, returnTo);
    } finally {
      // The flow is over either way: its cookie goes, so the same answer cannot be replayed.
      req.session = null;
    }
  });

  router.use('/auth/oidc', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const failure = failureOf(err, undefined);
    if (!failure) { next(err); return; }
    failurePage(res, failure.status, failure.message, null);
  });
  return router;
}
