/**
 * Parley's own pages (sign-in, account) carry the full session in a first-party cookie:
 * HttpOnly (no script reads it), SameSite=Lax (no other site's form or fetch sends it), Secure
 * over https. Every form they post carries a CSRF token bound to that session (double submit,
 * csrf-csrf), and a post from another origin is refused even before that.
 */
import type { Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { resolveSession, hashToken } from '../auth/service.js';
import type { Caller, Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { Forbidden } from '../errors.js';

export const SESSION_COOKIE = 'parley_session';
const CSRF_COOKIE = 'parley_csrf';

function secure(deps: Deps): boolean {
  return deps.publicUrl.startsWith('https:');
}

export function setSessionCookie(deps: Deps, res: Response, session: { token: string; expiresAt: string }): void {
  res.cookie(SESSION_COOKIE, session.token, {
    httpOnly: true, sameSite: 'lax', secure: secure(deps), path: '/', expires: new Date(session.expiresAt),
  });
}

export function clearSessionCookie(deps: Deps, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: secure(deps), path: '/' });
}

function cookieToken(req: Request): string | null {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof value === 'string' && /^[A-Za-z0-9_-]{20,200}$/.test(value) ? value : null;
}

/**
 * The caller of one of Parley's own pages: the cookie's session, never a bearer token (a token
 * from a host page's storage must not reach account changes). A dead cookie is a stranger.
 */
export async function ownPageCaller(deps: Deps, req: Request): Promise<Caller & { token: string | null }> {
  const token = cookieToken(req);
  const actor = token ? await resolveSession(deps, token).catch(() => null) : null;
  // A bearer token is an embed session whatever it claims: it may not stand in for the cookie.
  const origin = req.get('origin') ?? null;
  return { actor: actor?.scope === 'full' ? actor : null, origin, ip: req.ip, token: actor ? token : null, sessionTokenHash: token ? hashToken(token) : undefined };
}

export interface CsrfGuard {
  /** The token the page's forms carry (sets its cookie). */
  tokenFor(req: Request, res: Response): string;
  /** Refuses a state-changing request without the right token, or from another origin. */
  protect: RequestHandler;
}

export function csrfGuard(deps: Deps): CsrfGuard {
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => deps.secret,
    getSessionIdentifier: (req) => cookieToken(req) ?? 'anonymous',
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: 'lax', secure: secure(deps), path: '/', httpOnly: true },
    getCsrfTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined ?? req.get('x-csrf-token'),
    errorConfig: { statusCode: 403, message: 'This form has expired or did not come from Parley; reload the page and try again.', code: 'forbidden' },
  });
  return {
    tokenFor: (req, res) => generateCsrfToken(req, res),
    protect: (req, res, next) => {
      const origin = req.get('origin');
      if (req.method === 'POST' && origin && origin !== 'null' && origin !== ownOrigin(deps)) {
        next(new Forbidden('Parley\'s own forms are posted from Parley\'s own pages only.'));
        return;
      }
      doubleCsrfProtection(req, res, (err?: unknown) => next(err ? new Forbidden('This form has expired or did not come from Parley; reload the page and try again.') : undefined));
    },
  };
}
