/**
 * Who the reader is, kept in step with their session for the thread's site: a stranger (no
 * token, nothing asked), a guest, or a signed-in account. Sign-in comes from Parley's popup,
 * or from the site itself (SSO, exchanged before the first paint); sign-out ends the session
 * on the server before the token is dropped.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiUser } from '../../shared/api.js';
import { onTokenChange, readToken, saveToken } from '../common/session.js';
import { fetchMe, logout, openSignInPopup, readSignInMessage, signInUrl } from './account.js';
import { errorText } from './api.js';
import type { FirstPaint, SsoOutcome } from './mount-options.js';
import { signInWithSso } from './sso.js';

export interface AccountView {
  /** undefined: a session whose owner is being asked for; null: no session (a stranger). */
  user: ApiUser | null | undefined;
  /** The site signs its readers in itself (SSO): Parley's Sign in and Sign out are not offered. */
  siteSignIn: boolean;
  /** What went wrong last (a refused SSO payload, a failed sign-out). */
  notice: string | null;
  /** The popup's address while the browser blocks the popup, to open it as a tab instead. */
  blocked: string | null;
  signIn(): void;
  signOut(): Promise<void>;
}

interface AccountOptions {
  origin: string;
  site: string;
  first: FirstPaint;
  /** The page's SSO payload, if any. */
  sso: string | undefined;
  /** Another person now holds the session: what was the previous one's in the thread must go. */
  onSignedIn: () => void;
}

export function useAccount({ origin, site, first, sso, onSignedIn }: AccountOptions): AccountView {
  const [user, setUser] = useState<ApiUser | null | undefined>(() => (readToken(origin, site) ? undefined : null));
  const [notice, setNotice] = useState<string | null>(null);
  const [blocked, setBlocked] = useState<string | null>(null);
  const signedIn = useRef(onSignedIn);
  signedIn.current = onSignedIn;
  // A sign-in names the token's owner along with the token: no /me for those.
  const owners = useRef(new Map<string, ApiUser>());

  useEffect(() => {
    let current = true;
    let asked = 0;
    let exchanging = false;
    let retried = false;

    function resolve() {
      const token = readToken(origin, site);
      const ticket = ++asked;
      const owner = token ? owners.current.get(token) : null;
      if (!token || owner) return setUser(owner ?? null);
      setUser(undefined);
      void fetchMe(origin, site, token).then((found) => current && ticket === asked && setUser(found));
    }

    function settleSso(outcome: SsoOutcome | null, again: boolean) {
      exchanging = false;
      if (!current) return;
      const token = readToken(origin, site);
      if (outcome?.user && token) owners.current.set(token, outcome.user);
      if (outcome?.failed) setNotice(errorText({ code: outcome.failed }));
      else if (!again) retrySso();
      resolve();
      if (again && outcome?.user) signedIn.current();
    }

    /** An SSO session the server no longer knows (expired, revoked) is made anew from the page's payload, once. */
    function retrySso() {
      if (!sso || retried || exchanging || readToken(origin, site)) return;
      retried = exchanging = true;
      void signInWithSso(origin, site, sso).then((outcome) => settleSso(outcome, true));
    }

    // Settled already (the overlay waited for it): the answer to /me comes after the thread shows.
    void first.sso.then((outcome) => settleSso(outcome, false));

    const stopWatching = onTokenChange((changed) => {
      if (changed !== site || exchanging) return;
      retrySso();
      if (!exchanging) resolve();
    });

    function onMessage(event: MessageEvent) {
      const message = readSignInMessage(event, origin, site);
      if (!message) return;
      owners.current.set(message.session.token, message.user);
      setBlocked(null);
      setNotice(null);
      saveToken(origin, site, message.session.token);
      resolve();
      signedIn.current();
    }
    window.addEventListener('message', onMessage);

    return () => {
      current = false;
      stopWatching();
      window.removeEventListener('message', onMessage);
    };
  }, [origin, site, sso]);

  return {
    user,
    siteSignIn: !!sso,
    notice,
    blocked,
    signIn() {
      const url = signInUrl(origin, site);
      setNotice(null);
      setBlocked(openSignInPopup(url) ? null : url);
    },
    async signOut() {
      const token = readToken(origin, site);
      setNotice(null);
      try {
        if (token) await logout(origin, token);
      } catch (error) {
        // The session still stands on the server: say so rather than only forgetting it here.
        setNotice(errorText(error));
        return;
      }
      if (token) owners.current.delete(token);
      saveToken(origin, site, null);
    },
  };
}
