import { Router } from 'express';
import { z } from 'zod';
import type { ThreadResponse } from '../../shared/api.js';
import { listCommentsQuery } from '../comments/schemas.js';
import type { Deps } from '../deps.js';
import type { PublicPages } from '../pages/public-pages.js';
import { parseQuery } from '../http/validate.js';
import { sendCachedPage } from '../pages/send.js';
import { resolveThread, toApiThread } from './service.js';

const threadQuery = listCommentsQuery.extend({
  site: z.string().min(1).max(64).optional(),
  key: z.string().min(1).max(500).optional(),
  url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' }).max(2000).optional(),
  title: z.string().max(500).optional(),
  include: z.literal('comments').optional(),
});

/** Keys as `key=a&key=b` (any characters) or `keys=a,b` (short, for keys without commas). */
const countsQuery = z
  .object({
    site: z.string().min(1).max(64).optional(),
    key: z.union([z.string(), z.array(z.string())]).optional(),
    keys: z.string().optional(),
  })
  .transform(({ site, key, keys }) => ({
    site,
    keys: [...[key ?? []].flat(), ...(keys ?? '').split(',')].map((k) => k.trim()).filter(Boolean),
  }))
  .pipe(z.object({
    site: z.string().or(z.undefined()),
    keys: z.array(z.string().max(2000)).min(1, 'give at least one key').max(200),
  }));

export function threadRoutes(deps: Deps, pages: PublicPages): Router {
  const router = Router();

  // Public: the reader's session plays no part (their own state comes from /threads/:id/me).
  router.get('/threads', async (req, res) => {
    const query = parseQuery(threadQuery, req);
    const caller = { actor: null, origin: req.get('origin') ?? null, ip: req.ip };
    const { site, thread } = await resolveThread(deps, caller, query);
    const head = JSON.stringify({ thread: toApiThread(thread, site, deps.now()) } satisfies ThreadResponse);
    if (query.include !== 'comments') return void res.type('application/json').send(head);
    // The first page as every reader gets it, spliced from the cache: {"thread":...,"comments":...}.
    const page = await pages.read(caller, thread.id, query);
    res.type('application/json').send(`${head.slice(0, -1)},${page.identity.toString('utf8', 1)}`);
  });

  router.get('/counts', async (req, res) => {
    const { site, keys } = parseQuery(countsQuery, req);
    const counts = await pages.counts({ site, keys, pageOrigin: req.get('origin') });
    // Revalidated every time (the ETag makes that a 304): a reader who just commented sees it
    // counted. Vary, since the origin can pick the site.
    sendCachedPage(req, res, counts, 'no-cache');
  });

  return router;
}
