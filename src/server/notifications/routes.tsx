/**
 * HTTP for notifications: the widget's API (follow a thread, the reader's notices) and the pages
 * mail links open (confirm an address, unsubscribe), which work without signing in: the token in
 * the link is the credential, so they need no CSRF token, and RFC 8058's one-click POST (from a
 * mail provider, with no cookie) works as the page's own button does.
 */
import cookieParser from 'cookie-parser';
import express, { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { callerOf } from '../http/actor.js';
import { csrfGuard, ownPageCaller } from '../http/own-session.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import { withReturnTo } from '../auth/pages.js';
import { CsrfField, ownPageErrors, sendOwnPage } from '../own-pages/layout.js';
import {
  confirmAddress, describeConfirmation, describeUnsubscribe, getModeratorAlerts, getSubscription, listNotifications,
  markNotificationsRead, setModeratorAlerts, subscribe, unsubscribe, unsubscribeByLink, type UnsubscribeScope,
} from './service.js';

const threadParams = z.object({ id: z.uuid() });
const mode = z.enum(['instant', 'hourly', 'daily']);
export const subscriptionBody = z.strictObject({ email: z.email().max(254).optional(), mode: mode.optional() }).optional().transform((v) => v ?? {});
export const notificationsQuery = z.strictObject({ site: z.string().min(1).max(64).optional() });
export const readBody = z.strictObject({ site: z.string().min(1).max(64).optional(), upTo: z.string().regex(/^\d{1,19}$/).optional() }).optional().transform((v) => v ?? {});
export const alertsBody = z.strictObject({ site: z.string().min(1).max(64), mode: z.enum(['instant', 'hourly', 'daily', 'off']) });
const tokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });
const scopeSchema = z.enum(['thread', 'all', 'alerts']);

/** The widget's API, under /api/v1. */
export function notificationApiRoutes(deps: Deps): Router {
  const router = Router();
  router.get('/threads/:id/subscription', async (req, res) => {
    const { id } = parseParams(threadParams, req);
    res.set('Cache-Control', 'private, no-store').json({ subscription: await getSubscription(deps, await callerOf(deps, req), id) });
  });
  router.post('/threads/:id/subscription', async (req, res) => {
    const { id } = parseParams(threadParams, req);
    const body = parseBody(subscriptionBody, req);
    res.json({ subscription: await subscribe(deps, await callerOf(deps, req), { threadId: id, ...body }) });
  });
  router.delete('/threads/:id/subscription', async (req, res) => {
    const { id } = parseParams(threadParams, req);
    res.json({ subscription: await unsubscribe(deps, await callerOf(deps, req), id) });
  });
  router.get('/me/notifications', async (req, res) => {
    const query = parseQuery(notificationsQuery, req);
    res.set('Cache-Control', 'private, no-store').json(await listNotifications(deps, await callerOf(deps, req), query));
  });
  router.post('/me/notifications/read', async (req, res) => {
    res.json(await markNotificationsRead(deps, await callerOf(deps, req), parseBody(readBody, req)));
  });
  router.get('/mod/alerts', async (req, res) => {
    const { site } = parseQuery(z.strictObject({ site: z.string().min(1).max(64) }), req);
    res.json(await getModeratorAlerts(deps, await callerOf(deps, req), site));
  });
  router.put('/mod/alerts', async (req, res) => {
    res.json(await setModeratorAlerts(deps, await callerOf(deps, req), parseBody(alertsBody, req)));
  });
  return router;
}

function Gone() {
  return (
    <>
      <h1>This link no longer works</h1>
      <p>It has expired, or was used already. Nothing was changed.</p>
    </>
  );
}

const SCOPE_DONE: Record<UnsubscribeScope, string> = {
  thread: 'You will get no more mail about this discussion.',
  all: 'You will get no more notification mail from Parley at this address.',
  alerts: 'You will get no more moderation alerts from this site.',
};

/** The pages mail links open, on Parley's own origin. */
export function notificationPageRoutes(deps: Deps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  router.get('/unsubscribe/:token', async (req, res) => {
    const { token } = parseParams(tokenParams, req);
    const about = await describeUnsubscribe(deps, token);
    if (!about) { sendOwnPage(res, <Gone />, { title: 'Unsubscribe', status: 404 }); return; }
    const action = `/unsubscribe/${token}`;
    sendOwnPage(res, (
      <>
        <h1>Unsubscribe</h1>
        <p>{`Mail from ${about.siteName}, through Parley.`}</p>
        {about.threadTitle && <form method="post" action={action}><input type="hidden" name="scope" value="thread" /><button type="submit">{`Stop mail about "${about.threadTitle}"`}</button></form>}
        <form method="post" action={action}><input type="hidden" name="scope" value="all" /><button type="submit" class="secondary">Stop all notification mail to this address</button></form>
      </>
    ), { title: 'Unsubscribe' });
  });
  // One-click (RFC 8058): the scope is in the URL of List-Unsubscribe, the body says List-Unsubscribe=One-Click.
  router.post('/unsubscribe/:token', form, async (req, res) => {
    const { token } = parseParams(tokenParams, req);
    const fromForm = (req.body as Record<string, unknown> | undefined)?.scope;
    const scope = scopeSchema.catch('all').parse(fromForm ?? req.query.scope);
    const done = await unsubscribeByLink(deps, token, scope);
    if (!done) { sendOwnPage(res, <Gone />, { title: 'Unsubscribe', status: 404 }); return; }
    sendOwnPage(res, <><h1>Unsubscribed</h1><p role="status">{SCOPE_DONE[scope]}</p></>, { title: 'Unsubscribed' });
  });

  // Mail scanners open links: the link shows a button, and only the button confirms.
  router.get('/notifications/confirm/:token', async (req, res) => {
    const { token } = parseParams(tokenParams, req);
    const about = await describeConfirmation(deps, token);
    if (!about) { sendOwnPage(res, <Gone />, { title: 'Confirm your address', status: 404 }); return; }
    sendOwnPage(res, (
      <>
        <h1>Confirm your address</h1>
        <p>{`Get ${about.what} on ${about.siteName}?`}</p>
        <form method="post" action={`/notifications/confirm/${token}`}><button type="submit">Yes, send me this mail</button></form>
      </>
    ), { title: 'Confirm your address' });
  });
  router.post('/notifications/confirm/:token', form, async (req, res) => {
    const { token } = parseParams(tokenParams, req);
    if (!(await confirmAddress(deps, token))) { sendOwnPage(res, <Gone />, { title: 'Confirm your address', status: 404 }); return; }
    sendOwnPage(res, <><h1>Confirmed</h1><p role="status">Thank you. Every mail will carry a link to stop it.</p></>, { title: 'Confirmed' });
  });

  // A moderator's alerts, on Parley's own pages (cookie session, CSRF).
  const csrf = csrfGuard(deps);
  const siteParams = z.object({ site: z.string().min(1).max(64) });
  const alertsForm = z.strictObject({ mode: alertsBody.shape.mode, _csrf: z.string().max(500).optional() });
  router.use('/notifications/alerts', cookieParser(), form);
  const showAlerts = async (req: express.Request, res: express.Response, site: string, notice?: string) => {
    const caller = await ownPageCaller(deps, req);
    if (!caller.actor) { res.redirect(303, withReturnTo('/auth/signin', req.originalUrl)); return; }
    const { mode: current } = await getModeratorAlerts(deps, caller, site);
    sendOwnPage(res, (
      <>
        <h1>Moderation alerts</h1>
        <div role="status">{notice && <p class="notice">{notice}</p>}</div>
        <form method="post" action={`/notifications/alerts/${encodeURIComponent(site)}`}>
          <CsrfField token={csrf.tokenFor(req, res)} />
          <label>Mail me about comments held for review or flagged
            <select name="mode">
              {(['off', 'instant', 'hourly', 'daily'] as const).map((m) => <option value={m} selected={m === current}>{{ off: 'never', instant: 'at once', hourly: 'in an hourly digest', daily: 'in a daily digest' }[m]}</option>)}
            </select>
          </label>
          <button type="submit">Save</button>
        </form>
      </>
    ), { title: 'Moderation alerts' });
  };
  router.get('/notifications/alerts/:site', async (req, res) => {
    await showAlerts(req, res, parseParams(siteParams, req).site);
  });
  router.post('/notifications/alerts/:site', csrf.protect, async (req, res) => {
    const { site } = parseParams(siteParams, req);
    const caller = await ownPageCaller(deps, req);
    if (!caller.actor) { res.redirect(303, withReturnTo('/auth/signin', req.originalUrl)); return; }
    await setModeratorAlerts(deps, caller, { site, mode: parseBody(alertsForm, req).mode });
    await showAlerts(req, res, site, 'Saved.');
  });
  router.use(['/unsubscribe', '/notifications'], ownPageErrors);
  return router;
}
