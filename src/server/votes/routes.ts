import { Router } from 'express';
import { z } from 'zod';
import { commentIdParams } from '../comments/schemas.js';
import type { Deps } from '../deps.js';
import { actorOf } from '../http/actor.js';
import { parseBody, parseParams } from '../http/validate.js';
import { voteOnComment } from './service.js';

export const voteBody = z.strictObject({
  value: z.union([z.literal(1), z.literal(0), z.literal(-1)], { error: 'value must be 1, 0 or -1' }),
});

export function voteRoutes(deps: Deps): Router {
  const router = Router();
  router.post('/comments/:id/vote', async (req, res) => {
    const { id } = parseParams(commentIdParams, req);
    const { value } = parseBody(voteBody, req);
    res.json(await voteOnComment(deps, await actorOf(deps, req), { commentId: id, value, ip: req.ip }));
  });
  return router;
}
