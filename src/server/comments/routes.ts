import { Router } from 'express';
import type { Deps } from '../deps.js';
import { callerOf } from '../http/actor.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import { getThreadForCaller } from '../threads/service.js';
import { listThreadComments } from './listing.js';
import { commentIdParams, editCommentBody, listCommentsQuery, postCommentBody, threadIdParams } from './schemas.js';
import { deleteComment, editComment, postComment } from './service.js';

export function commentRoutes(deps: Deps): Router {
  const router = Router();

  router.get('/threads/:id/comments', async (req, res) => {
    const { id } = parseParams(threadIdParams, req);
    const query = parseQuery(listCommentsQuery, req);
    const caller = await callerOf(deps, req);
    const { thread, site } = await getThreadForCaller(deps, caller, id);
    res.json(await listThreadComments(deps, caller.actor, { ...query, thread, editWindowSeconds: site.editWindowSeconds }));
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
