import { Router } from 'express';
import type { Deps } from '../deps.js';

export function forumPageRoutes(_deps: Deps): Router {
  return Router();
}
