/**
 * The reader's session token for one Parley origin and one of its sites. A guest session
 * serves only the site it was issued for, so a token is kept (and sent) per site: a page
 * embedding two sites' threads, or a reader who is a guest on two sites, never sends one
 * site's token to the other. It lives in the host page's storage (no third-party cookies)
 * and goes as `Authorization: Bearer`.
 */
import { ApiError, requestJson, type RequestOptions } from './http.js';
import { readStored, storageKey, writeStored } from './storage.js';

/** No site known (a Disqus snippet before the server has named it): no token can be the right one. */
export function readToken(origin: string, site: string | undefined): string | null {
  return site ? readStored<string>(storageKey(origin, `token:${site}`)) : null;
}

const listeners = new Set<(site: string) => void>();

export function saveToken(origin: string, site: string, token: string | null): void {
  const changed = readToken(origin, site) !== token;
  writeStored(storageKey(origin, `token:${site}`), token);
  // A token from before sessions were bound to a site: nobody knows which site it serves, so it is never sent.
  writeStored(storageKey(origin, 'token'), null);
  if (changed) listeners.forEach((listener) => listener(site));
}

let watchingOtherTabs = false;

/**
 * Live updates reconnect under a new identity (a guest's first post or vote, a sign-in) to get
 * its private events. A change made in another tab of the page's origin counts too: the storage
 * is shared, and a reader who signs out in one tab is signed out in all.
 */
export function onTokenChange(listener: (site: string) => void): () => void {
  listeners.add(listener);
  if (!watchingOtherTabs) {
    watchingOtherTabs = true;
    window.addEventListener('storage', (event) => {
      const at = event.key?.lastIndexOf(':token:') ?? -1;
      if (at > 0 && event.key!.startsWith('parley:')) listeners.forEach((listen) => listen(event.key!.slice(at + 7)));
    });
  }
  return () => listeners.delete(listener);
}

/**
 * A request as the reader of `site`: their token for it goes along; a guest session the answer
 * carries is kept; a token the server no longer knows (401 `unauthorized`) is dropped and the
 * request made again as a stranger. Any other refusal (403: the site wants a real sign-in) keeps it.
 */
export async function requestAsReader<T>(
  origin: string,
  site: string | undefined,
  url: string,
  options: Omit<RequestOptions, 'token'> = {},
): Promise<T> {
  const token = readToken(origin, site);
  try {
    const result = await requestJson<T>(url, { ...options, token });
    const session = (result as { session?: { token?: string } } | null)?.session;
    if (site && session?.token) saveToken(origin, site, session.token);
    return result;
  } catch (error) {
    if (!(site && token && error instanceof ApiError && error.code === 'unauthorized')) throw error;
    saveToken(origin, site, null);
    return requestAsReader<T>(origin, site, url, options);
  }
}
