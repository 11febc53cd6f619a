/** /sites/:slug/webhooks: a site's admins register endpoints, read the delivery log and send a delivery again. */
import cookieParser from 'cookie-parser';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { withReturnTo } from '../auth/pages.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { csrfGuard, ownPageCaller } from '../http/own-session.js';
import { parseBody, parseParams } from '../http/validate.js';
import { CsrfField, ownPageErrors, sendOwnPage } from '../own-pages/layout.js';
import { WEBHOOK_EVENTS } from './policy.js';
import { createWebhook, deleteWebhook, listWebhooks, resendDelivery } from './service.js';

const slugParams = z.object({ slug: z.string().min(1).max(64) });
const itemParams = slugParams.extend({ id: z.uuid() });
const csrfField = { _csrf: z.string().max(500).optional() };
const createForm = z.strictObject({
  url: z.string().trim().min(1).max(2000),
  events: z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v])).pipe(z.array(z.string().max(40)).max(20)),
  ...csrfField,
});
const csrfOnly = z.strictObject(csrfField);

type Listing = Awaited<ReturnType<typeof listWebhooks>>;

function WebhooksPage({ csrf, listing, error, notice }: { csrf: string; listing: Listing; error?: string; notice?: string }) {
  const base = `/sites/${encodeURIComponent(listing.site.slug)}/webhooks`;
  const urlOf = new Map(listing.webhooks.map((w) => [w.id, w.url]));
  return (
    <>
      <h1>{`Webhooks of ${listing.site.name}`}</h1>
      <div role="status" aria-live="polite">
        {error && <p class="error">{error}</p>}
        {notice && <p class="notice">{notice}</p>}
      </div>
      <p class="muted">Each delivery is a JSON POST with <code>X-Parley-Event</code> and <code>X-Parley-Signature: t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</code>, retried with backoff for about a day.</p>
      <ul class="plain">
        {listing.webhooks.map((w) => (
          <li>
            {`${w.url}: ${w.events.join(', ')}`}
            <form method="post" action={`${base}/${w.id}/delete`}><CsrfField token={csrf} /><button type="submit" class="secondary">{`Remove ${w.url}`}</button></form>
          </li>
        ))}
      </ul>
      <h2>Add an endpoint</h2>
      <form method="post" action={base}>
        <CsrfField token={csrf} />
        <label>URL (https)<input type="text" name="url" required maxLength={2000} /></label>
        <fieldset>
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((e) => <label><span><input type="checkbox" name="events" value={e} /> {e}</span></label>)}
        </fieldset>
        <button type="submit">Add endpoint</button>
      </form>
      <h2>Deliveries</h2>
      <table>
        <thead><tr><th>Time</th><th>Endpoint</th><th>Event</th><th>Status</th><th>Response</th><th>Attempts</th><th /></tr></thead>
        <tbody>
          {listing.deliveries.map((d) => (
            <tr>
              <td>{d.lastAttemptAt ?? d.createdAt}</td>
              <td>{urlOf.get(d.webhookId) ?? ''}</td>
              <td>{d.event}</td>
              <td>{d.status}</td>
              <td>{d.lastStatusCode ?? d.lastError ?? ''}</td>
              <td>{d.attempts}</td>
              <td><form method="post" action={`${base}/deliveries/${d.id}/resend`}><CsrfField token={csrf} /><button type="submit" class="secondary">Send again</button></form></td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function webhookRoutes(deps: Deps): Router {
  const router = Router();
  const csrf = csrfGuard(deps);
  router.use('/sites/:slug/webhooks', cookieParser(), express.urlencoded({ extended: false, limit: '16kb' }));
  const show = async (req: Request, res: Response, slug: string, messages: { error?: string; notice?: string } = {}, status = 200) => {
    const listing = await listWebhooks(deps, await ownPageCaller(deps, req), slug);
    sendOwnPage(res, <WebhooksPage csrf={csrf.tokenFor(req, res)} listing={listing} {...messages} />, { title: `Webhooks of ${listing.site.name}`, wide: true, status });
  };
  const signedIn = async (req: Request, res: Response) => {
    if ((await ownPageCaller(deps, req)).actor) return true;
    res.redirect(303, withReturnTo('/auth/signin', req.originalUrl));
    return false;
  };
  router.get('/sites/:slug/webhooks', async (req, res) => {
    const { slug } = parseParams(slugParams, req);
    if (await signedIn(req, res)) await show(req, res, slug);
  });
  router.post('/sites/:slug/webhooks', csrf.protect, async (req, res) => {
    const { slug } = parseParams(slugParams, req);
    if (!(await signedIn(req, res))) return;
    const { url, events } = parseBody(createForm, req);
    try {
      const { secret } = await createWebhook(deps, await ownPageCaller(deps, req), slug, { url, events });
      await show(req, res, slug, { notice: `Added. Its signing secret, shown this once: ${secret}` });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      await show(req, res, slug, { error: err.message }, 400);
    }
  });
  router.post('/sites/:slug/webhooks/:id/delete', csrf.protect, async (req, res) => {
    const { slug, id } = parseParams(itemParams, req);
    parseBody(csrfOnly, req);
    if (!(await signedIn(req, res))) return;
    await deleteWebhook(deps, await ownPageCaller(deps, req), slug, id);
    await show(req, res, slug, { notice: 'Removed.' });
  });
  router.post('/sites/:slug/webhooks/deliveries/:id/resend', csrf.protect, async (req, res) => {
    const { slug, id } = parseParams(itemParams, req);
    parseBody(csrfOnly, req);
    if (!(await signedIn(req, res))) return;
    await resendDelivery(deps, await ownPageCaller(deps, req), slug, id);
    await show(req, res, slug, { notice: 'It goes out again.' });
  });
  router.use('/sites/:slug/webhooks', ownPageErrors);
  return router;
}
