/**
 * The thread without JavaScript: GET /discuss/SITE?key=KEY shows a page of it, POST posts a guest's
 * comment through the same service, rules, sanitizer and limits as the widget's, with a CSRF token
 * and the form's signed start time (the composing-time rule). /c/ID is a comment's stable address.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import cookieParser from 'cookie-parser';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { postComment } from '../comments/service.js';
import { listThreadComments } from '../comments/listing.js';
import { guestAuthor } from '../comments/schemas.js';
import { readCommentContext } from '../comments/context.js';
import type { Caller, Deps } from '../deps.js';
import type { ApiComment } from '../../shared/api.js';
import { AppError } from '../errors.js';
import { csrfGuard, ownPageCaller } from '../http/own-session.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import { ownPageErrors, sendOwnPage } from '../own-pages/layout.js';
import { getThreadForCaller, resolveThread, toApiThread } from '../threads/service.js';
import { DiscussPage, discussStyles, type DiscussView } from './page.js';

const pageQuery = z.object({
  key: z.string().min(1).max(500),
  cursor: z.string().max(500).optional(),
  reply: z.uuid().optional(),
  posted: z.enum(['published', 'pending']).optional(),
});
const siteParams = z.object({ site: z.string().min(1).max(64) });
const postForm = z.strictObject({
  _csrf: z.string().max(500).optional(),
  startedAt: z.string().max(100).optional(),
  parentId: z.uuid().optional(),
  name: guestAuthor.shape.name,
  email: z.string().trim().max(254).optional(),
  body: z.string().max(20_000),
  website: z.string().max(500).optional(),
});

/** The form's start time, signed so that a robot cannot claim it took its time. */
function signTime(secret: string, ms: number): string {
  return `${ms}.${createHmac('sha256', secret).update(`discuss:${ms}`).digest('base64url')}`;
}

function composeMsOf(secret: string, signed: string | undefined, now: number): number | undefined {
  const [ms, mac] = (signed ?? '').split('.');
  const expected = signTime(secret, Number(ms)).split('.')[1];
  if (!mac || !/^\d+$/.test(ms) || mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return 0;
  return Math.min(86_400_000, Math.max(0, now - Number(ms)));
}

function findIn(tree: ApiComment, id: string): ApiComment | null {
  if (tree.id === id) return tree;
  for (const reply of tree.replies) {
    const found = findIn(reply, id);
    if (found) return found;
  }
  return null;
}

export function discussRoutes(deps: Deps): Router {
  const router = Router();
  const csrf = csrfGuard(deps);
  router.use('/discuss', cookieParser(), express.urlencoded({ extended: false, limit: '64kb' }));

  /** A reader of this page is nobody's page: no Origin of a site, and Parley's own origin checked by the CSRF guard. */
  const callerOf = async (req: Request): Promise<Caller> => {
    const own = await ownPageCaller(deps, req);
    return { actor: own.actor, origin: null, ip: req.ip, sessionTokenHash: own.sessionTokenHash };
  };

  async function render(req: Request, res: Response, extra: Partial<DiscussView> & { status?: number } = {}) {
    const { site } = parseParams(siteParams, req);
    const query = parseQuery(pageQuery, req);
    const found = await resolveThread(deps, { actor: null, origin: null, ip: req.ip }, { site, key: query.key });
    const page = await listThreadComments(deps, { thread: found.thread, sort: 'best', cursor: query.cursor, limit: 50 });
    const selfUrl = `/discuss/${encodeURIComponent(site)}?key=${encodeURIComponent(query.key)}`;
    const replyTo = query.reply ? await readCommentContext(deps, { actor: null, origin: null }, query.reply).then(
      (context) => findIn(context.comment, query.reply!), () => null) : null;
    const view: DiscussView = {
      thread: toApiThread(found.thread, found.site, deps.now()),
      selfUrl,
      comments: page.comments,
      nextUrl: page.nextCursor ? `${selfUrl}&cursor=${encodeURIComponent(page.nextCursor)}` : null,
      csrf: csrf.tokenFor(req, res),
      startedAt: signTime(deps.secret, Date.now()),
      replyTo,
      posted: query.posted,
      ...extra,
    };
    sendOwnPage(res, <DiscussPage view={view} />, { title: view.thread.title ?? 'Comments', wide: true, styles: discussStyles, status: extra.status });
  }

  router.get('/discuss/:site', async (req, res) => { await render(req, res); });

  router.post('/discuss/:site', csrf.protect, async (req, res) => {
    const { site } = parseParams(siteParams, req);
    const { key } = parseQuery(pageQuery, req);
    const form = parseBody(postForm, req);
    const values = { name: form.name, email: form.email, body: form.body };
    try {
      const { thread } = await resolveThread(deps, { actor: null, origin: null, ip: req.ip }, { site, key });
      const caller = await callerOf(req);
      const { comment } = await postComment(deps, caller, {
        threadId: thread.id,
        body: form.body,
        parentId: form.parentId,
        author: caller.actor ? undefined : { name: form.name, email: form.email || null },
        hp: form.website ?? '',
        composeMs: composeMsOf(deps.secret, form.startedAt, Date.now()),
      });
      const outcome = comment.status === 'approved' ? 'published' : 'pending';
      res.redirect(303, `/discuss/${encodeURIComponent(site)}?key=${encodeURIComponent(key)}&posted=${outcome}#comment-${comment.id}`);
    } catch (error) {
      // Refused (a rule, a limit, bad input): the same page, saying why, with what was typed.
      if (!(error instanceof AppError)) throw error;
      if (error.status === 429) res.set('Retry-After', String((error as { retryAfterSeconds?: number }).retryAfterSeconds ?? 60));
      await render(req, res, { error: error.message, values, status: error.status });
    }
  });

  // A comment's stable address: the article with #comment-ID, or this page where the thread has no address.
  router.get('/c/:id', async (req, res) => {
    const { id } = parseParams(z.object({ id: z.uuid() }), req);
    const context = await readCommentContext(deps, { actor: null, origin: null }, id);
    const { thread, site } = await getThreadForCaller(deps, { actor: null, origin: null }, context.threadId);
    res.redirect(302, thread.url ? `${thread.url}#comment-${id}` : `/discuss/${encodeURIComponent(site.slug)}?key=${encodeURIComponent(thread.key)}#comment-${id}`);
  });

  router.use(ownPageErrors);
  return router;
}
