/**
 * count.js: fills "N Comments" into links and elements on list pages, with the same
 * markup Disqus's count.js reads, in one request to the Parley server.
 */
import type { CountsResponse } from '../../shared/api.js';
import { commentCountText } from '../common/count-text.js';
import { requestJson, withQuery } from '../common/http.js';
import { findOwnScript, originOf } from '../common/script-origin.js';

const SELECTOR = 'a[href$="#disqus_thread"],[data-disqus-identifier],.disqus-comment-count,[data-parley-count]';
/** Keeps each request URL well below the limits of proxies and servers, and under the API's 200 keys. */
const MAX_QUERY_LENGTH = 1800;
const MAX_KEYS = 100;

const ownScript = findOwnScript('count.js');
const origin = originOf(ownScript);
const site = ownScript?.dataset.site;
/** Elements already filled: a plain getCount() only looks at new ones. */
let filled = new WeakSet<Element>();

/** The thread key an element stands for: explicit identifier first, then the page URL it links to. */
function keyOf(element: Element): string | null {
  const data = (element as HTMLElement).dataset;
  const key = data.parleyCount || data.disqusIdentifier || data.disqusUrl;
  if (key) return key;
  if (element instanceof HTMLAnchorElement && element.href.endsWith('#disqus_thread')) {
    return element.href.slice(0, -'#disqus_thread'.length);
  }
  return null;
}

/** Splits keys into groups whose encoded list fits one request URL. */
function batches(keys: string[]): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  let length = 0;
  for (const key of keys) {
    const encoded = encodeURIComponent(key).length + 1;
    if (group.length > 0 && (length + encoded > MAX_QUERY_LENGTH || group.length === MAX_KEYS)) {
      groups.push(group);
      group = [];
      length = 0;
    }
    group.push(key);
    length += encoded;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

async function fetchCounts(keys: string[]): Promise<Record<string, number>> {
  const base = withQuery(`${origin}/api/v1/counts`, { site });
  const separator = base.includes('?') ? '&' : '?';
  const responses = await Promise.all(
    batches(keys).map((group) =>
      // One `key` parameter per key: a URL may itself contain commas.
      requestJson<CountsResponse>(`${base}${separator}${group.map((key) => `key=${encodeURIComponent(key)}`).join('&')}`),
    ),
  );
  return Object.assign({}, ...responses.map((response) => response.counts));
}

async function getCount(options?: { reset?: boolean }): Promise<void> {
  if (options?.reset) filled = new WeakSet();
  const byKey = new Map<string, Element[]>();
  document.querySelectorAll(SELECTOR).forEach((element) => {
    const key = keyOf(element);
    if (!key || filled.has(element)) return;
    byKey.set(key, [...(byKey.get(key) ?? []), element]);
  });
  if (byKey.size === 0) return;
  try {
    const counts = await fetchCounts([...byKey.keys()]);
    byKey.forEach((elements, key) => {
      // textContent only: keys and page text are not ours to interpret as HTML.
      const text = commentCountText(counts[key] ?? 0);
      for (const element of elements) {
        element.textContent = text;
        filled.add(element);
      }
    });
  } catch (error) {
    // Leave the links' own text in place: a list page must not break for a count.
    console.warn('[parley] comment counts unavailable', error);
  }
}

(window as unknown as { DISQUSWIDGETS: { getCount: typeof getCount } }).DISQUSWIDGETS = { getCount };

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void getCount());
else void getCount();
