/**
 * The reader's account as the widget sees it: who holds the session (GET /me), the sign-in
 * popup on Parley's origin and the message it sends back, and signing out.
 */
import type { ApiUser, MeResponse, PopupSignInMessage } from '../../shared/api.js';
import { ApiError, requestJson } from '../common/http.js';
import { saveToken } from '../common/session.js';

/** The session's owner (a guest or an account); null when it cannot be told. A dead session is dropped. */
export async function fetchMe(origin: string, site: string, token: string): Promise<ApiUser | null> {
  try {
    return (await requestJson<MeResponse>(`${origin}/api/v1/me`, { token })).user;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unauthorized') saveToken(origin, site, null);
    return null;
  }
}

/** Ends the session on the server; one the server no longer knows is as good as ended. */
export async function logout(origin: string, token: string): Promise<void> {
  try {
    await requestJson(`${origin}/api/v1/auth/logout`, { method: 'POST', token });
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'unauthorized')) throw error;
  }
}

/** The popup's page; it posts the session only to `origin` (this page's), and only when the site allows it. */
export function signInUrl(origin: string, site: string): string {
  return `${origin}/auth/popup?site=${encodeURIComponent(site)}&origin=${encodeURIComponent(location.origin)}`;
}

/** Opens (or brings forward) the sign-in popup; false when the browser blocked it. */
export function openSignInPopup(url: string): boolean {
  const popup = window.open(url, 'parley-sign-in', 'popup,width=480,height=680');
  popup?.focus();
  return popup !== null;
}

/**
 * The popup's word that the reader signed in, for this widget's site. Only Parley's origin can
 * send a message with that `event.origin`; anything else on the page posting look-alikes is ignored.
 */
export function readSignInMessage(event: MessageEvent, origin: string, site: string): PopupSignInMessage | null {
  const data = event.data as Partial<PopupSignInMessage> | null;
  if (event.origin !== origin || !data || data.type !== 'parley:signed-in' || data.site !== site) return null;
  return typeof data.session?.token === 'string' && data.user ? (data as PopupSignInMessage) : null;
}

/** An avatar address (the server's, usually a path on its origin) made absolute; null if it is none. */
export function avatarSrc(origin: string, url: string | undefined): string | null {
  try {
    const resolved = new URL(url ?? '', origin);
    return url && /^https?:$/.test(resolved.protocol) ? resolved.href : null;
  } catch {
    return null;
  }
}

/** Signed in with an account (a guest is not): such a reader gives no name to comment. */
export function isMember(user: ApiUser | null | undefined): boolean {
  return !!user && !user.isGuest;
}
