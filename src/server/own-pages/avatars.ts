import { Router } from 'express';
import { minidenticon } from 'minidenticons';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { parseParams } from '../http/validate.js';

const avatarParams = z.object({ id: z.uuid() });

/**
 * Avatars drawn here from the user's id: no third-party image host (Gravatar would learn who
 * reads which article), nothing uploaded to moderate, the same picture everywhere.
 */
export function avatarRoutes(_deps: Deps): Router {
  const router = Router();
  router.get('/users/:id/avatar.svg', (req, res) => {
    const { id } = parseParams(avatarParams, req);
    res.set({ 'Cache-Control': 'public, max-age=604800, immutable', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'", 'Cross-Origin-Resource-Policy': 'cross-origin' });
    res.type('image/svg+xml').send(minidenticon(id, 70, 45));
  });
  return router;
}
