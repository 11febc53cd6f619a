import { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { parseParams } from '../http/validate.js';
import { siteFeed, threadFeed } from './service.js';

const ATOM = 'application/atom+xml; charset=utf-8';
// Feed readers poll: a minute of caching costs them nothing and spares the database.
const CACHE = 'public, max-age=60';

export function feedRoutes(deps: Deps): Router {
  const router = Router();
  router.get('/feeds/threads/:id/atom.xml', async (req, res) => {
    const { id } = parseParams(z.object({ id: z.uuid() }), req);
    res.set({ 'Content-Type': ATOM, 'Cache-Control': CACHE, 'Access-Control-Allow-Origin': '*' }).send(await threadFeed(deps, id));
  });
  router.get('/feeds/sites/:slug/atom.xml', async (req, res) => {
    const { slug } = parseParams(z.object({ slug: z.string().min(1).max(64) }), req);
    res.set({ 'Content-Type': ATOM, 'Cache-Control': CACHE, 'Access-Control-Allow-Origin': '*' }).send(await siteFeed(deps, slug));
  });
  return router;
}
