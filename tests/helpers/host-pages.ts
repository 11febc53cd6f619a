import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningParley } from '../../src/server/runtime.js';
import { createSite } from '../../src/server/sites/service.js';

export interface HostPages {
  /** The origin of the site's pages; `${origin}/t/KEY` embeds thread KEY. */
  origin: string;
  close(): void;
}

/**
 * A site's own pages, on an origin of their own, as a real embedding would be (a page
 * Playwright made up would be barred from the local socket): each embeds the thread its path names.
 */
export async function startHostPages(parley: RunningParley, site: { slug: string; name: string }): Promise<HostPages> {
  const host = http.createServer((req, res) => {
    const key = (req.url ?? '').replace(/^\/t\//, '').replace(/[^\w-]/g, '');
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><html lang="en"><head><title>${key}</title><link rel="icon" href="data:,"></head><body><main><h1>${key}</h1>
      <div id="parley-thread" data-site="${site.slug}" data-key="${key}"></div>
      <script async src="${parley.url}/embed.js"></script></main></body></html>`);
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  await createSite(parley.deps, { ...site, origins: [origin] });
  return { origin, close: () => host.close() };
}
