/**
 * /admin: the moderators' dashboard on Parley's own pages (the full session in the cookie).
 * Pages are rendered here from the moderation services, which decide who may see and do what;
 * the forms post here when the page's script is not running, and to the JSON API
 * (/api/v1/mod/*) when it is.
 */
import cookieParser from 'cookie-parser';
import express, { Router, type Request, type Response } from 'express';
import { withReturnTo } from '../auth/pages.js';
import { safeReturnTo } from '../auth/return-to.js';
import type { Caller, Deps } from '../deps.js';
import { ownOrigin } from '../deps.js';
import { AppError } from '../errors.js';
import { csrfGuard, ownPageCaller } from '../http/own-session.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import { readAudit } from '../moderation/audit-read.js';
import { moderateComment } from '../moderation/comment-actions.js';
import { listQueue } from '../moderation/queue.js';
import { moderateThread } from '../moderation/thread-actions.js';
import { moderateUser } from '../moderation/user-actions.js';
import { ownPageErrors, sendOwnPage, type PageOptions } from '../own-pages/layout.js';
import { getSiteBySlug } from '../sites/service.js';
import { AuditPage, QueuePage, SitesPage } from './pages.js';
import { auditQuery, bulkForm, commentForm, dashboardQuery, siteAndIdParams, siteParams, threadForm, toQueueQuery, userForm } from './schemas.js';
import { listModeratedSites, managesSite } from './service.js';
import { dashboardStyles } from './styles.js';

const AUDIT_PAGE = 50;

/** The dashboard's script talks to Parley only: its API and its socket (`'self'` covers ws: in today's browsers; named for older ones). */
function pageOptions(req: Request, title: string, withScript: boolean, status?: number): PageOptions {
  const socketOrigin = `${req.protocol === 'https' ? 'wss' : 'ws'}://${req.get('host') ?? ''}`;
  return {
    title, wide: true, styles: dashboardStyles, status,
    ...(withScript ? { bundle: { src: '/admin.js', connect: ['\'self\'', socketOrigin] } } : {}),
  };
}

export function adminRoutes(deps: Deps): Router {
  const router = Router();
  const csrf = csrfGuard(deps);
  router.use('/admin', cookieParser(), express.urlencoded({ extended: false, limit: '16kb' }));

  /** The signed-in caller, or null once the browser is on its way to sign in (and back here). */
  const signedIn = async (req: Request, res: Response, returnTo: string): Promise<Caller | null> => {
    const caller = await ownPageCaller(deps, req);
    if (caller.actor) return caller;
    res.redirect(303, withReturnTo('/auth/signin', returnTo));
    return null;
  };
  /** Where a form sends the moderator back: the view it was posted from, on this dashboard only. */
  const backTo = (req: Request, site: string) => {
    const back = safeReturnTo((req.body as { back?: unknown } | undefined)?.back, ownOrigin(deps));
    return back?.startsWith('/admin/') ? back : `/admin/${encodeURIComponent(site)}`;
  };

  router.get('/admin', async (req, res) => {
    const caller = await signedIn(req, res, '/admin');
    if (!caller?.actor) return;
    sendOwnPage(res, <SitesPage sites={await listModeratedSites(deps, caller.actor)} />, pageOptions(req, 'Moderation', false));
  });

  router.get('/admin/:site', async (req, res) => {
    const { site: slug } = parseParams(siteParams, req);
    const caller = await signedIn(req, res, req.originalUrl);
    if (!caller?.actor) return;
    const query = parseQuery(dashboardQuery, req);
    // The queue service decides who may look (403 for anyone but the site's moderators).
    const result = await listQueue(deps, caller, toQueueQuery(slug, query));
    const site = await getSiteBySlug(deps, slug);
    const ctx = { site: site.slug, csrf: csrf.tokenFor(req, res), back: req.originalUrl };
    sendOwnPage(
      res,
      <QueuePage site={site} manages={await managesSite(deps, caller.actor, site.id)} query={query} result={result} ctx={ctx} />,
      pageOptions(req, `Moderation of ${site.name}`, true),
    );
  });

  router.get('/admin/:site/audit', async (req, res) => {
    const { site: slug } = parseParams(siteParams, req);
    const caller = await signedIn(req, res, req.originalUrl);
    if (!caller?.actor) return;
    const { before } = parseQuery(auditQuery, req);
    const { entries, nextBefore } = await readAudit(deps, caller, { site: slug, before, limit: AUDIT_PAGE });
    const site = await getSiteBySlug(deps, slug);
    const olderHref = nextBefore ? `/admin/${encodeURIComponent(site.slug)}/audit?before=${nextBefore}` : null;
    sendOwnPage(
      res,
      <AuditPage site={site} manages={await managesSite(deps, caller.actor, site.id)} entries={entries} olderHref={olderHref} />,
      pageOptions(req, `Audit of ${site.name}`, false),
    );
  });

  /** A form's post, without the script: the service call, then back to the view it came from. */
  const formAction = (work: (req: Request, caller: Caller, site: string) => Promise<void>) => async (req: Request, res: Response) => {
    const { site } = parseParams(siteParams, req);
    const caller = await signedIn(req, res, `/admin/${encodeURIComponent(site)}`);
    if (!caller) return;
    await work(req, caller, site);
    res.redirect(303, backTo(req, site));
  };

  router.post('/admin/:site/comments/:id', csrf.protect, formAction(async (req, caller) => {
    const { id } = parseParams(siteAndIdParams, req);
    await moderateComment(deps, caller, { commentId: id, ...parseBody(commentForm, req) });
  }));
  router.post('/admin/:site/bulk', csrf.protect, formAction(async (req, caller) => {
    const body = parseBody(bulkForm, req);
    const failed: string[] = [];
    // One transaction each, as the API does: a comment another moderator changed meanwhile fails alone.
    for (const id of body.ids) {
      await moderateComment(deps, caller, { commentId: id, action: body.action, reason: body.reason })
        .catch((err: unknown) => { if (err instanceof AppError) failed.push(err.message); else throw err; });
    }
    if (failed.length > 0) throw new BulkFailed(body.ids.length - failed.length, failed);
  }));
  router.post('/admin/:site/threads/:id', csrf.protect, formAction(async (req, caller) => {
    const { id } = parseParams(siteAndIdParams, req);
    await moderateThread(deps, caller, { threadId: id, ...parseBody(threadForm, req) });
  }));
  router.post('/admin/:site/users/:id', csrf.protect, formAction(async (req, caller, site) => {
    const { id } = parseParams(siteAndIdParams, req);
    await moderateUser(deps, caller, { userId: id, ...parseBody(userForm(site), req) });
  }));

  router.use('/admin', ownPageErrors);
  return router;
}

/** Some of a bulk action went through: the page says what did not (the rest is done). */
class BulkFailed extends AppError {
  constructor(done: number, failures: string[]) {
    super('conflict', 409, `${done} done; ${failures.length} not: ${[...new Set(failures)].join(' ')}`);
  }
}
