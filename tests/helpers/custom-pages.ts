import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningParley } from '../../src/server/runtime.js';
import { createSite } from '../../src/server/sites/service.js';

export interface CustomPages {
  /** The origin of the site's pages. */
  origin: string;
  /** Serves `html` at `path` from now on. */
  serve(path: string, html: string): string;
  close(): void;
}

/**
 * A site's own pages on an origin of their own, each written by the test (a language, a theme, a
 * single-page app): `serve('/ar', html)` then open `${origin}/ar`.
 */
export async function startCustomPages(parley: RunningParley, site: { slug: string; name: string }): Promise<CustomPages> {
  const pages = new Map<string, string>();
  const host = http.createServer((req, res) => {
    const html = pages.get((req.url ?? '').replace(/[?#].*$/, ''));
    res.statusCode = html ? 200 : 404;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  await createSite(parley.deps, { ...site, origins: [origin] });
  return {
    origin,
    serve(path, html) {
      pages.set(path, html);
      return `${origin}${path}`;
    },
    close: () => host.close(),
  };
}

/** A plain article page embedding thread `key`; `attrs` go on the container, `head` in <head>. */
export function articlePage(parley: RunningParley, options: { site: string; key: string; lang?: string; attrs?: string; head?: string; body?: string }): string {
  return `<!doctype html><html lang="${options.lang ?? 'en'}"><head><meta charset="utf-8"><title>${options.key}</title>
    <link rel="icon" href="data:,">${options.head ?? ''}</head><body><main><h1>${options.key}</h1>${options.body ?? ''}
    <div id="parley-thread" data-site="${options.site}" data-key="${options.key}" ${options.attrs ?? ''}><noscript>
      <a href="${parley.url}/discuss/${options.site}?key=${encodeURIComponent(options.key)}">Read and post comments without JavaScript</a></noscript></div>
    <script async src="${parley.url}/embed.js"></script></main></body></html>`;
}
