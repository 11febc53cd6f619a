/**
 * Every way in goes through passport: the password (passport-local), the site's own SSO
 * payload (a strategy of ours, as no published one reads Disqus's form), and OpenID Connect
 * providers (openid-client's strategy, registered in auth/oidc.ts). Passport only checks who
 * it is; the routes then open the session the carrier needs (cookie, or token for a widget).
 * Nothing uses passport's own login sessions.
 */
import type { Request, Response } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { Strategy } from 'passport-strategy';
import type { SignInResponse } from '../../shared/api.js';
import type { Caller, Deps } from '../deps.js';
import { InvalidCredentials } from '../errors.js';
import { checkPassword, type SignedInUser } from './accounts.js';
import { signInWithSso } from './sso.js';

type CallerOf = (req: Request) => Promise<Caller>;

/** One passport instance per app (never the global one): tests run several apps in a process. */
export type ParleyPassport = InstanceType<typeof Passport>;

/** Reads `{site, payload}` from the body: the page's SSO payload, checked by auth/sso.ts. */
class SiteSsoStrategy extends Strategy {
  name = 'site-sso';

  constructor(private readonly deps: Deps, private readonly callerOf: CallerOf) { super(); }

  authenticate(req: Request): void {
    const { site, payload } = req.body as { site: string; payload: string };
    this.callerOf(req)
      .then((caller) => signInWithSso(this.deps, caller, { site, payload }))
      .then((result) => this.success(result), (err: unknown) => this.error(err as Error));
  }
}

export function createPassport(deps: Deps, callerOf: CallerOf): ParleyPassport {
  const passport = new Passport();
  passport.use('local', new LocalStrategy({ usernameField: 'email', passwordField: 'password', passReqToCallback: true, session: false },
    (req, email, password, done) => {
      callerOf(req).then((caller) => checkPassword(deps, caller, { email, password })).then((user) => done(null, user), done);
    }));
  passport.use('site-sso', new SiteSsoStrategy(deps, callerOf));
  return passport;
}

/**
 * Runs a strategy and resolves with whom it found. A strategy that redirects (to a provider)
 * answers the request itself: then this never settles, and the request is done.
 */
export function authenticateWith<T = SignedInUser | SignInResponse>(
  passport: ParleyPassport, strategy: string, req: Request, res: Response, options: Record<string, unknown> = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    passport.authenticate(strategy, { session: false, ...options }, (err: unknown, user: T | false, info: unknown) => {
      if (err) reject(err);
      else if (!user) reject(info instanceof Error ? info : new InvalidCredentials());
      else resolve(user);
    })(req, res, reject);
  });
}
