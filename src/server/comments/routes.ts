import { Router } from 'express';
import type { Deps } from '../deps.js';
import { callerOf } from '../http/actor.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import type { PublicPages } from '../pages/public-pages.js';
import { sendCachedPage } from '../pages/send.js';
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
