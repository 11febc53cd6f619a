/**
 * The first-paint requests: the thread with its first page of comments, then what of it is
 * the reader's own. Shared by the loader (which starts them before widget.js arrives) and
 * the widget (to retry). A page carrying the site's sign-in (SSO) has it exchanged first, so
 * the overlay is already the signed-in reader's.
 */
import type { ReaderOverlay, ThreadResponse } from '../../shared/api.js';
import { ApiError, requestJson, withQuery } from '../common/http.js';
import { readToken, saveToken } from '../common/session.js';
import type { FirstPaint, PageConfig, SsoOutcome } from './mount-options.js';
import { signInWithSso } from './sso.js';

export async function fetchThread(origin: string, page: PageConfig, siteIsGuess = false): Promise<ThreadResponse> {
  const url = withQuery(`${origin}/api/v1/threads`, {
    site: page.site,
    key: page.key,
    url: page.url,
    title: page.title,
    include: 'comments',
    sort: 'best',
  });
  try {
    // The same page for every reader: no token goes with it, so the browser's cache (and a CDN) may keep it.
    return await requestJson<ThreadResponse>(url);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // A Disqus shortname need not be a Parley slug: let the server find the site by the page's origin.
    if (error.status === 404 && siteIsGuess) return fetchThread(origin, { ...page, site: undefined });
    throw error;
  }
}

/**
 * The reader's votes, comments and comments awaiting moderation in the thread. Resolves to
 * null, never rejects: a stranger (no token for the site; no request) or a failed request
 * leaves the shared page as it is.
 */
export async function fetchOverlay(origin: string, site: string, threadId: string): Promise<ReaderOverlay | null> {
  const token = readToken(origin, site);
  if (!token) return null;
  try {
    return await requestJson<ReaderOverlay>(`${origin}/api/v1/threads/${encodeURIComponent(threadId)}/me`, { token });
  } catch (error) {
    // A session the server no longer knows is forgotten, as on any request.
    if (error instanceof ApiError && error.code === 'unauthorized') saveToken(origin, site, null);
    return null;
  }
}

/**
 * The overlay needs the thread's id (and, for a Disqus snippet, its site): it follows the page
 * at once. An SSO sign-in goes beside the thread request when the page names its site, else
 * (a Disqus snippet) once the thread has named it.
 */
export async function fetchFirstPaint(origin: string, page: PageConfig, siteIsGuess = false): Promise<FirstPaint> {
  const named = siteIsGuess ? undefined : page.site;
  const early = named && page.sso ? signInWithSso(origin, named, page.sso) : null;
  const response = await fetchThread(origin, page, siteIsGuess);
  const { site, id } = response.thread;
  const sso: Promise<SsoOutcome | null> = !page.sso
    ? Promise.resolve(null)
    : early && site === named ? early : signInWithSso(origin, site, page.sso);
  return { response, sso, overlay: sso.then(() => fetchOverlay(origin, site, id)) };
}
