import { Router } from 'express';
import type { Deps } from '../deps.js';
import { callerOf } from '../http/actor.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import type { PublicPages } from '../pages/public-pages.js';
import { sendCachedPage } from '../pages/send.js';
import { readCommentContext } from './context.js';
import { readerOverlay } from './reader.js';
import { commentIdParams, editCommentBody, listCommentsQuery, postCommentBody, threadIdParams } from './schemas.js';
import { deleteComment, editComment, postComment } from './service.js';

export function commentRoutes(deps: Deps, pages: PublicPages): Router {
  const router = Router();

  // The same bytes for every reader: the session, if any, plays no part (see /me).
  router.get('/threads/:id/comments', async (req, res) => {
    const { id } = parseParams(threadIdParams, req);
    const query = parseQuery(listCommentsQuery, req);
    const origin = req.get('origin');
    sendCachedPage(req, res, await pages.read({ actor: null, origin: origin ?? null }, id, query));
  });

  // A permalink's comment with its whole tree, wherever its page is; public like the pages.
  router.get('/comments/:id/context', async (req, res) => {
    const { id } = parseParams(commentIdParams, req);
    res.set('Cache-Control', 'public, max-age=1, stale-while-revalidate=10').set('Vary', 'Origin')
      .json(await readCommentContext(deps, { actor: null, origin: req.get('origin') ?? null, ip: req.ip }, id));
  });

  router.get('/threads/:id/me', async (req, res) => {
    const { id } = parseParams(threadIdParams, req);
    res.set('Cache-Control', 'private, no-store').json(await readerOverlay(deps, await callerOf(deps, req), id));
  });

  router.post('/threads/:id/comments', async (req, res) => {
    const { id } = parseParams(threadIdParams, req);
    const body = parseBody(postCommentBody, req);
    res.status(201).json(await postComment(deps, await callerOf(deps, req), { ...body, threadId: id }));
  });

  router.patch('/comments/:id', async (req, res) => {
    const { id } = parseParams(commentIdParams, req);
    const { body } = parseBody(editCommentBody, req);
    res.json(await editComment(deps, await callerOf(deps, req), { commentId: id, body }));
  });

  router.delete('/comments/:id', async (req, res) => {
    const { id } = parseParams(commentIdParams, req);
    res.json(await deleteComment(deps, await callerOf(deps, req), { commentId: id }));
  });

  return router;
}
