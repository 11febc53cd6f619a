/**
 * The one first-paint request: the thread and its first page of comments. Shared by
 * the loader (which starts it before widget.js arrives) and the widget (to retry).
 */
import type { ThreadResponse } from '../../shared/api.js';
import { ApiError, withQuery } from '../common/http.js';
import { readToken, requestAsReader } from '../common/session.js';
import type { PageConfig } from './mount-options.js';

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
    // An expired or revoked session must not hide the thread: requestAsReader then reads as a stranger.
    const response = await requestAsReader<ThreadResponse>(origin, page.site, url);
    // A page that names no site sent no token; now that the server named the site, a reader who
    // has a session there reads again as themself (their votes, their comments' edit buttons).
    if (!page.site && readToken(origin, response.thread.site)) return fetchThread(origin, { ...page, site: response.thread.site });
    return response;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // A Disqus shortname need not be a Parley slug: let the server find the site by the page's origin.
    if (error.status === 404 && siteIsGuess) return fetchThread(origin, { ...page, site: undefined });
    throw error;
  }
}
