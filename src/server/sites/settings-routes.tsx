/** /sites/:slug/settings: a site's admins change its settings on Parley's own page. */
import cookieParser from 'cookie-parser';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { withReturnTo } from '../auth/pages.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { csrfGuard, ownPageCaller } from '../http/own-session.js';
import { parseBody, parseParams } from '../http/validate.js';
import { CsrfField, ownPageErrors, sendOwnPage } from '../own-pages/layout.js';
import { getSiteSettings, siteSettingsInput, updateSiteSettings, type SiteSettings } from './settings.js';

const slugParams = z.object({ slug: z.string().min(1).max(64) });
const checkbox = z.literal('on').optional().transform((v) => v === 'on');
const settingsForm = z.strictObject({
  name: z.string(),
  origins: z.string().max(10_000).transform((v) => v.split(/\s+/).filter(Boolean)),
  guestsAllowed: checkbox,
  premoderation: siteSettingsInput.shape.premoderation,
  editWindowMinutes: z.coerce.number(),
  ssoSecret: z.string().max(500).transform((v) => v.trim() || undefined),
  removeSsoSecret: checkbox,
  _csrf: z.string().max(500).optional(),
}).transform(({ _csrf, ...rest }) => rest as z.input<typeof siteSettingsInput>).pipe(siteSettingsInput);

function SettingsPage({ csrf, settings, error, notice }: { csrf: string; settings: SiteSettings; error?: string; notice?: string }) {
  return (
    <>
      <h1>{`Settings of ${settings.name}`}</h1>
      <div role="status" aria-live="polite">
        {error && <p class="error">{error}</p>}
        {notice && <p class="notice">{notice}</p>}
      </div>
      <form method="post" action={`/sites/${encodeURIComponent(settings.slug)}/settings`}>
        <CsrfField token={csrf} />
        <label>Name<input type="text" name="name" required maxLength={200} value={settings.name} /></label>
        <label>Origins whose pages embed the threads (one per line)<textarea name="origins" rows={4} required>{settings.origins.join('\n')}</textarea></label>
        <label><span><input type="checkbox" name="guestsAllowed" checked={settings.guestsAllowed} /> Guests may comment (with a name)</span></label>
        <label>Hold comments for review
          <select name="premoderation">
            {(['none', 'guests', 'all'] as const).map((v) => <option value={v} selected={settings.premoderation === v}>{{ none: 'none', guests: 'guests\' comments', all: 'every comment' }[v]}</option>)}
          </select>
        </label>
        <label>Minutes an author may edit or delete a comment<input type="number" name="editWindowMinutes" min={0} max={1440} value={settings.editWindowMinutes} /></label>
        <label>{settings.hasSsoSecret ? 'New SSO secret (empty keeps the current one)' : 'SSO secret (lets your pages sign their users in)'}
          <input type="password" name="ssoSecret" autocomplete="off" minLength={16} />
        </label>
        {settings.hasSsoSecret && <label><span><input type="checkbox" name="removeSsoSecret" /> Remove the SSO secret</span></label>}
        <button type="submit">Save settings</button>
      </form>
    </>
  );
}

export function siteSettingsRoutes(deps: Deps): Router {
  const router = Router();
  const csrf = csrfGuard(deps);
  router.use('/sites', cookieParser(), express.urlencoded({ extended: false, limit: '32kb' }));
  const show = async (req: Request, res: Response, slug: string, messages: { error?: string; notice?: string } = {}, status = 200) => {
    const settings = await getSiteSettings(deps, await ownPageCaller(deps, req), slug);
    sendOwnPage(res, <SettingsPage csrf={csrf.tokenFor(req, res)} settings={settings} {...messages} />, { title: `Settings of ${settings.name}`, status });
  };
  const signedIn = async (req: Request, res: Response) => {
    if ((await ownPageCaller(deps, req)).actor) return true;
    res.redirect(303, withReturnTo('/auth/signin', req.originalUrl));
    return false;
  };

  router.get('/sites/:slug/settings', async (req, res) => {
    const { slug } = parseParams(slugParams, req);
    if (await signedIn(req, res)) await show(req, res, slug);
  });
  router.post('/sites/:slug/settings', csrf.protect, async (req, res) => {
    const { slug } = parseParams(slugParams, req);
    if (!(await signedIn(req, res))) return;
    const caller = await ownPageCaller(deps, req);
    try {
      await updateSiteSettings(deps, caller, slug, parseBody(settingsForm, req));
    } catch (err) {
      // A refused change shows the form again with the reason; refusals of the admin themself (403) are pages of their own.
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      await show(req, res, slug, { error: err.message }, 400);
      return;
    }
    await show(req, res, slug, { notice: 'Saved.' });
  });
  router.use('/sites', ownPageErrors);
  return router;
}
