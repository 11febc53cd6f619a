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
import { getSiteSettings, setStaffRole, siteSettingsInput, updateSiteSettings, type SiteSettings } from './settings.js';

const slugParams = z.object({ slug: z.string().min(1).max(64) });
const checkbox = z.literal('on').optional().transform((v) => v === 'on');
const wordList = z.string().max(50_000).transform((v) => v.split(/[\n,]/).map((w) => w.trim()).filter(Boolean));
const settingsForm = z.strictObject({
  name: z.string(),
  origins: z.string().max(10_000).transform((v) => v.split(/\s+/).filter(Boolean)),
  guestsAllowed: checkbox,
  premoderation: siteSettingsInput.shape.premoderation,
  premoderateNewMembers: z.coerce.number(),
  premoderateLinks: checkbox,
  bannedWords: wordList,
  suspectWords: wordList,
  flagThreshold: z.coerce.number(),
  maxLinks: z.coerce.number(),
  minComposeSeconds: z.coerce.number(),
  autoCloseDays: z.string().transform((v) => (v.trim() === '' ? null : Number(v))),
  editWindowMinutes: z.coerce.number(),
  ssoSecret: z.string().max(500).transform((v) => v.trim() || undefined),
  removeSsoSecret: checkbox,
  _csrf: z.string().max(500).optional(),
}).transform(({ _csrf, ...rest }) => rest as z.input<typeof siteSettingsInput>).pipe(siteSettingsInput);
const staffForm = z.strictObject({ email: z.email().max(254), role: z.enum(['admin', 'moderator', 'member']), _csrf: z.string().max(500).optional() });

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
        <label>Hold a member's comments until this many of theirs were approved (0: never)<input type="number" name="premoderateNewMembers" min={0} max={1000} value={settings.premoderateNewMembers} /></label>
        <label><span><input type="checkbox" name="premoderateLinks" checked={settings.premoderateLinks} /> Hold every comment with a link</span></label>
        <label>Banned words: refused (one per line)<textarea name="bannedWords" rows={3}>{settings.bannedWords.join('\n')}</textarea></label>
        <label>Suspect words: held for review (one per line)<textarea name="suspectWords" rows={3}>{settings.suspectWords.join('\n')}</textarea></label>
        <label>Flags that hide a comment until a moderator decides<input type="number" name="flagThreshold" min={1} max={1000} value={settings.flagThreshold} /></label>
        <label>Links a comment may carry before it is held<input type="number" name="maxLinks" min={0} max={100} value={settings.maxLinks} /></label>
        <label>Seconds of writing below which a comment is held as likely spam<input type="number" name="minComposeSeconds" min={0} max={600} value={settings.minComposeSeconds} /></label>
        <label>Close threads after this many days (empty: never)<input type="number" name="autoCloseDays" min={1} value={settings.autoCloseDays ?? ''} /></label>
        <label>Minutes an author may edit or delete a comment<input type="number" name="editWindowMinutes" min={0} max={1440} value={settings.editWindowMinutes} /></label>
        <label>{settings.hasSsoSecret ? 'New SSO secret (empty keeps the current one)' : 'SSO secret (lets your pages sign their users in)'}
          <input type="password" name="ssoSecret" autocomplete="off" minLength={16} />
        </label>
        {settings.hasSsoSecret && <label><span><input type="checkbox" name="removeSsoSecret" /> Remove the SSO secret</span></label>}
        <button type="submit">Save settings</button>
      </form>
      <p><a href={`/sites/${encodeURIComponent(settings.slug)}/webhooks`}>Webhooks and their delivery log</a> · <a href={`/notifications/alerts/${encodeURIComponent(settings.slug)}`}>Your moderation alerts</a></p>
      <h2>Moderators and admins</h2>
      <ul class="plain">
        {settings.staff.map((m) => <li>{`${m.name} (${m.email ?? 'no address'}): ${m.role}`}</li>)}
      </ul>
      <form method="post" action={`/sites/${encodeURIComponent(settings.slug)}/staff`}>
        <CsrfField token={csrf} />
        <label>Account email<input type="email" name="email" required /></label>
        <label>Role
          <select name="role">
            <option value="moderator">moderator</option>
            <option value="admin">admin</option>
            <option value="member">none (remove from staff)</option>
          </select>
        </label>
        <button type="submit" class="secondary">Set role</button>
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
  router.post('/sites/:slug/staff', csrf.protect, async (req, res) => {
    const { slug } = parseParams(slugParams, req);
    if (!(await signedIn(req, res))) return;
    const form = parseBody(staffForm, req);
    try {
      await setStaffRole(deps, await ownPageCaller(deps, req), slug, form);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      await show(req, res, slug, { error: err.message }, 400);
      return;
    }
    await show(req, res, slug, { notice: `${form.email} is now ${form.role === 'member' ? 'no longer staff' : `a ${form.role}`}.` });
  });
  router.use('/sites', ownPageErrors);
  return router;
}
