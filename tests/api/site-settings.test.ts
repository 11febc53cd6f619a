/** A site's settings page, tried by its admin, its moderator, another site's admin, a widget's token and a forged form. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { createAccount, setRole } from '../../src/server/auth/accounts.js';
import { sites } from '../../src/server/db/schema.js';
import { createSite, setSiteSsoSecret } from '../../src/server/sites/service.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp, withTwoProcesses } from '../helpers/app.js';
import { siteSettingsInput, updateSiteSettings } from '../../src/server/sites/settings.js';
import { OwnPagesClient } from '../helpers/own-pages.js';

const OLD_SECRET = 'the-old-sso-secret-0123';
const NEW_SECRET = 'the-new-sso-secret-4567';

function disqusPayload(secret: string, user: object): string {
  const message = Buffer.from(JSON.stringify(user)).toString('base64');
  const timestamp = Math.floor(Date.now() / 1000);
  return `${message} ${createHmac('sha1', secret).update(`${message} ${timestamp}`).digest('hex')} ${timestamp}`;
}

describe('site settings on Parley\'s own page', () => {
  let app: TestApp;
  const password = 'a staff password';
  /** The form as a browser posts it: an unticked checkbox (`null` here) is not sent at all. */
  const form = (overrides: Record<string, string | null> = {}) => Object.fromEntries(Object.entries({
    name: 'News', origins: `${SITE_ORIGIN}\nhttps://www.news.example.org`, guestsAllowed: 'on', premoderation: 'none', editWindowMinutes: '15', ssoSecret: '',
    premoderateNewMembers: '0', bannedWords: '', suspectWords: '', flagThreshold: '3', maxLinks: '3', minComposeSeconds: '3', autoCloseDays: '', ...overrides,
  }).filter((entry): entry is [string, string] => entry[1] !== null));
  const settingsRow = async () => (await app.deps.db.select().from(sites).where(eq(sites.slug, 'news')))[0];
  const staff = async (email: string) => {
    const page = new OwnPagesClient(app);
    await page.signIn(email, password);
    return page;
  };

  before(async () => {
    app = await startTestApp();
    await setSiteSsoSecret(app.deps, 'news', OLD_SECRET);
    const other = await createSite(app.deps, { slug: 'other', name: 'Other', origins: ['https://other.example.net'] });
    for (const [email, siteId, role] of [
      ['admin@news.example', app.site.id, 'admin'], ['mod@news.example', app.site.id, 'moderator'], ['admin@other.example', other.id, 'admin'],
    ] as const) {
      const user = await createAccount(app.deps, { email, password, displayName: email, verified: true });
      await setRole(app.deps, { siteId, userId: user.id, role });
    }
  });
  after(async () => { await app.close(); });

  it('lets the site\'s admin close it to guests and change its SSO secret, which then hold', async () => {
    const admin = await staff('admin@news.example');
    const shown = await admin.get('/sites/news/settings');
    assert.equal(shown.status, 200);
    assert.doesNotMatch(shown.text, new RegExp(OLD_SECRET), 'the secret is never shown');
    const saved = await admin.post('/sites/news/settings', form({ guestsAllowed: null, ssoSecret: NEW_SECRET }));
    assert.equal(saved.status, 200, saved.text);
    assert.match(saved.text, /Saved/);
    const row = await settingsRow();
    assert.equal(row.guestsAllowed, false);
    assert.deepEqual(row.allowedOrigins, [SITE_ORIGIN, 'https://www.news.example.org']);

    const thread = await openThread(app, 'settings');
    const guest = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { headers: { origin: SITE_ORIGIN }, body: { body: 'hi', author: { name: 'Gus' } } });
    assert.equal(guest.status, 403);
    assert.equal(guest.json.error.code, 'sign_in_required');
    const sso = (secret: string) => api(app, 'POST', '/api/v1/auth/sso', { headers: { origin: SITE_ORIGIN }, body: { site: 'news', payload: disqusPayload(secret, { id: '1', username: 'Member' }) } });
    assert.equal((await sso(OLD_SECRET)).status, 401);
    assert.equal((await sso(NEW_SECRET)).status, 200);
  });

  it('sets the moderation policies and the staff, each change in the audit log', async () => {
    const admin = await staff('admin@news.example');
    await admin.get('/sites/news/settings');
    const saved = await admin.post('/sites/news/settings', form({ bannedWords: 'scam\nكلمة', flagThreshold: '5', autoCloseDays: '60' }));
    assert.equal(saved.status, 200, saved.text);
    const row = await settingsRow();
    assert.deepEqual([row.bannedWords, row.flagThreshold, row.autoCloseDays], [['scam', 'كلمة'], 5, 60]);
    const thread = await openThread(app, 'policy-check');
    const refused = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { headers: { origin: SITE_ORIGIN }, body: { body: 'a scam', author: { name: 'Sam' } } });
    assert.equal(refused.status, 400);

    await createAccount(app.deps, { email: 'newmod@news.example', password, displayName: 'New Mod', verified: true });
    const promoted = await admin.post('/sites/news/staff', { email: 'NEWMOD@news.example', role: 'moderator' });
    assert.equal(promoted.status, 200, promoted.text);
    const token = (await api(app, 'POST', '/api/v1/auth/login', { body: { email: 'newmod@news.example', password } })).json.session.token;
    assert.equal((await api(app, 'GET', '/api/v1/mod/queue?site=news', { token })).status, 200, 'the new moderator moderates');
    const entries = (await api(app, 'GET', '/api/v1/mod/audit?site=news', { token })).json.entries;
    assert.deepEqual(entries.slice(0, 2).map((e: any) => e.action), ['site.role', 'site.settings']);
    assert.equal(entries[1].after.hasSsoSecret, true);
    assert.doesNotMatch(JSON.stringify(entries), /sso-secret-/, 'the SSO secret never reaches the log');
    const mod = await staff('mod@news.example');
    await mod.get('/account');
    assert.equal((await mod.post('/sites/news/staff', { email: 'mod@news.example', role: 'admin' })).status, 403, 'a moderator does not make themself admin');
    await admin.post('/sites/news/staff', { email: 'newmod@news.example', role: 'member' });
    assert.equal((await api(app, 'GET', '/api/v1/mod/queue?site=news', { token })).status, 403, 'removed from staff, refused at once');
  });

  it('refuses a bad origin with the reason, changing nothing', async () => {
    const admin = await staff('admin@news.example');
    await admin.get('/sites/news/settings');
    const before = await settingsRow();
    const res = await admin.post('/sites/news/settings', form({ origins: 'ftp://files.example', name: 'Renamed' }));
    assert.equal(res.status, 400);
    assert.match(res.text, /http\(s\) origin/);
    assert.deepEqual(await settingsRow(), before);
  });

  it('refuses a moderator, another site\'s admin, a widget token and a form without its CSRF token', async () => {
    const before = await settingsRow();
    for (const email of ['mod@news.example', 'admin@other.example']) {
      const page = await staff(email);
      assert.equal((await page.get('/sites/news/settings')).status, 403, email);
      await page.get('/account');
      assert.equal((await page.post('/sites/news/settings', form({ name: 'Taken over' }))).status, 403, email);
    }
    const login = await api(app, 'POST', '/api/v1/auth/login', { headers: { origin: SITE_ORIGIN }, body: { email: 'admin@news.example', password, site: 'news' } });
    const byToken = await fetch(`${app.url}/sites/news/settings`, {
      method: 'POST', redirect: 'manual', body: new URLSearchParams(form({ name: 'Taken over' })),
      headers: { authorization: `Bearer ${login.json.session.token}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(byToken.status, 403);
    const readByToken = await fetch(`${app.url}/sites/news/settings`, { redirect: 'manual', headers: { authorization: `Bearer ${login.json.session.token}` } });
    assert.equal(readByToken.status, 303, 'a token is no sign-in on Parley\'s pages');
    const admin = await staff('admin@news.example');
    await admin.get('/sites/news/settings');
    assert.equal((await admin.post('/sites/news/settings', form({ name: 'Taken over' }), { csrf: false })).status, 403);
    assert.equal((await admin.post('/sites/news/settings', form({ name: 'Taken over' }), { headers: { origin: 'https://evil.example' } })).status, 403);
    assert.deepEqual(await settingsRow(), before);
  });
});

describe('a changed site, with two processes', () => {
  it('reaches the other process at once: a newly allowed origin is served there without waiting', async () => {
    await withTwoProcesses(async (first, second) => {
      const admin = await createAccount(first.deps, { email: 'admin@two.example', password: 'a staff password', displayName: 'Admin', verified: true });
      await setRole(first.deps, { siteId: first.site.id, userId: admin.id, role: 'admin' });
      const added = 'https://added.example.org';
      const allowedOn = async (app: TestApp) => (await api(app, 'GET', '/api/v1/counts?site=news&key=a', { headers: { origin: added } })).headers.get('access-control-allow-origin');
      assert.equal(await allowedOn(second), null);
      const caller = { actor: { userId: admin.id, displayName: 'Admin', isGuest: false, scope: 'full' as const, siteId: null }, origin: null };
      await updateSiteSettings(first.deps, caller, 'news', siteSettingsInput.parse({
        name: 'News', origins: [SITE_ORIGIN, added], guestsAllowed: true, premoderation: 'none', editWindowMinutes: 15,
        premoderateNewMembers: 0, premoderateLinks: false, bannedWords: [], suspectWords: [], flagThreshold: 3, maxLinks: 3, minComposeSeconds: 3, autoCloseDays: null,
      }));
      let seen: string | null = null;
      for (let i = 0; i < 40 && seen === null; i++) {
        seen = await allowedOn(second);
        if (seen === null) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(seen, added, 'within 2 s, well before the 10 s refresh');
    });
  });
});
