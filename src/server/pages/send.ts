import type { Request, Response } from 'express';
import type { CachedPage } from './page-cache.js';

/**
 * Sends a cached page: 304 when the reader (or a CDN) holds this version, else the stored
 * bytes in the best encoding the client takes. Any cache may keep it a second and serve it
 * stale briefly while it revalidates: readers catch up from its eventCursor over the socket.
 */
/**
 * Whether If-None-Match names this version (weak comparison, as RFC 9110 asks for it). Not
 * express's req.fresh: an origin server answers a conditional request even when it says
 * `Cache-Control: no-cache` (as fetch() adds), which only tells caches to ask us.
 */
function holdsVersion(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export function sendCachedPage(
  req: Request,
  res: Response,
  page: CachedPage,
  cacheControl = 'public, max-age=1, stale-while-revalidate=10',
): void {
  res.set({ ETag: page.etag, 'Cache-Control': cacheControl, Vary: 'Accept-Encoding, Origin' });
  if (holdsVersion(req.get('if-none-match'), page.etag)) {
    res.status(304).end();
    return;
  }
  const encoding = req.acceptsEncodings('br', 'gzip', 'identity');
  const body = encoding === 'br' ? page.br : encoding === 'gzip' ? page.gzip : page.identity;
  if (encoding === 'br' || encoding === 'gzip') res.set('Content-Encoding', encoding);
  res.type('application/json').set('Content-Length', String(body.length)).end(body);
}
