/**
 * The key of a page that gives no identifier: its URL with what does not name a different
 * page taken out (fragment, tracking and other query parameters, `www.`, a trailing slash,
 * `index.html`), so that every way of linking to one article finds one thread.
 */
export function threadKeyForUrl(url: string, significantParams: readonly string[] = []): string {
  const parsed = new URL(url);
  const host = parsed.host.replace(/^www\./, '');
  const path = parsed.pathname.replace(/\/index\.(html?|php)$/i, '/').replace(/\/+$/, '');
  const kept = [...parsed.searchParams].filter(([name]) => significantParams.includes(name));
  kept.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a.localeCompare(b)));
  const query = kept.length > 0 ? `?${new URLSearchParams(kept).toString()}` : '';
  // One scheme: the http and https addresses of a page are one page.
  return `https://${host}${path}${query}`;
}

/** Whether a count.js key is a page address (normalised like a thread key) or an identifier. */
export function looksLikeUrl(key: string): boolean {
  return /^https?:\/\//i.test(key);
}
