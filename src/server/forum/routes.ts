import { Router } from 'express';
import type { Deps } from '../deps.js';
import { callerOf } from '../http/actor.js';
import { parseBody, parseQuery } from '../http/validate.js';
import { listCategories } from './categories.js';
import { categoriesQuery, newTopicBody, searchQuery, topicsQuery } from './schemas.js';
import { searchForum } from './search.js';
import { createTopic, forumSite, listTopics } from './service.js';

/** The forum's JSON API: lists are public (the same for every reader), a new topic needs a member's session. */
export function forumApiRoutes(deps: Deps): Router {
  const router = Router();
  router.get('/forum/categories', async (req, res) => {
    const { site } = parseQuery(categoriesQuery, req);
    const found = await forumSite(deps, await callerOf(deps, req), site);
    res.json({ categories: await listCategories(deps, found.id) });
  });
  router.get('/forum/topics', async (req, res) => {
    const query = parseQuery(topicsQuery, req);
    const caller = await callerOf(deps, req);
    const site = await forumSite(deps, caller, query.site);
    const { topics, nextCursor } = await listTopics(deps, { ...query, site, viewerId: caller.actor?.isGuest ? null : caller.actor?.userId });
    res.set('Cache-Control', caller.actor ? 'private, no-store' : 'public, max-age=1, stale-while-revalidate=10').json({ topics, nextCursor });
  });
  router.post('/forum/topics', async (req, res) => {
    const body = parseBody(newTopicBody, req);
    const { topic, held } = await createTopic(deps, await callerOf(deps, req), body);
    res.status(201).json({ topic, held });
  });
  router.get('/search', async (req, res) => {
    const { site, q } = parseQuery(searchQuery, req);
    const found = await forumSite(deps, await callerOf(deps, req), site);
    res.json({ results: await searchForum(deps, found, q) });
  });
  return router;
}
