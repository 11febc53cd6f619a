import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import type { RunningParley } from '../../src/server/runtime.js';
import { createSite } from '../../src/server/sites/service.js';

export interface SnippetPages {
  /** The origin of the site's pages. */
  origin: string;
  close(): void;
}

/**
 * A site's pages that each carry whatever snippet `render` writes for the path asked (an
 * unchanged Disqus snippet, say), on an origin of their own; the site is made with `ssoSecret`.
 */
export async function startSnippetPages(
  parley: RunningParley,
  site: { slug: string; name: string; ssoSecret?: string },
  render: (path: string, parleyUrl: string) => string,
): Promise<SnippetPages> {
  const host = http.createServer((req, res) => {
    const path = req.url ?? '/';
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><html lang="en"><head><title>Article</title><link rel="icon" href="data:,"></head><body><main><h1>Article</h1>
      ${render(path, parley.url)}</main></body></html>`);
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  await createSite(parley.deps, { ...site, origins: [origin] });
  return { origin, close: () => host.close() };
}

/** Disqus's `remote_auth_s3`: "<base64 JSON> <hex HMAC-SHA1 of '<base64> <timestamp>'> <timestamp>". */
export function disqusPayload(secret: string, user: object, at = new Date()): string {
  const message = Buffer.from(JSON.stringify(user)).toString('base64');
  const timestamp = Math.floor(at.getTime() / 1000);
  const signature = createHmac('sha1', secret).update(`${message} ${timestamp}`).digest('hex');
  return `${message} ${signature} ${timestamp}`;
}

/** The token the widget keeps for `site` in the host page's storage (null without one). */
export function storedToken(page: Page, parleyUrl: string, site: string): Promise<string | null> {
  return page.evaluate((key) => {
    const raw = localStorage.getItem(key);
    return raw === null ? null : (JSON.parse(raw) as string);
  }, `parley:${parleyUrl}:token:${site}`);
}

/** GET /api/v1/me with `token`, as the test (no browser): its status. */
export async function meStatus(parleyUrl: string, token: string): Promise<number> {
  const response = await fetch(`${parleyUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}
