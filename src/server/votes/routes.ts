import { Router } from 'express';
import { z } from 'zod';
import { commentIdParams, guestAuthor } from '../comments/schemas.js';
import type { Deps } from '../deps.js';
import { callerOf } from '../http/actor.js';
import { parseBody, parseParams } from '../http/validate.js';
import { voteOnComment } from './service.js';

export const voteBody = z.strictObject({
  value: z.union([z.literal(1), z.literal(0), z.literal(-1)], { error: 'value must be 1, 0 or -1' }),
  /** A reader without a session names themself to vote (and becomes a guest). */
  author: guestAuthor.optional(),
});

export function voteRoutes(deps: Deps): Router {
  const router = Router();
  router.post('/comments/:id/vote', async (req, res) => {
    const { id } = parseParams(commentIdParams, req);
    const body = parseBody(voteBody, req);
    res.json(await voteOnComment(deps, await callerOf(deps, req), { ...body, commentId: id }));
  });
  return router;
}
