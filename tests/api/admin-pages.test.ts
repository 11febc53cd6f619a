/**
 * The moderators' dashboard as server-rendered pages (/admin): who gets in, what a held
 * comment shows (its text, thread, reasons, author and their history on the site), escaping,
 * search, the audit tab, and the forms that work without the page's script.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccount, setRole } from '../../src/server/auth/accounts.js';
import { createSite, updateSitePolicy } from '../../src/server/sites/service.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';
import { OwnPagesClient } from '../helpers/own-pages.js';

const PASSWORD = 'moderator password';
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
let app: TestApp;
let moderator: OwnPagesClient;
let threadId: string;
/** The hostile guest's held comment, their approved one before it, and another guest's from the same address. */
let held: { id: string };
let guestToken: string;

async function signedIn(email: string): Promise<OwnPagesClient> {
  const client = new OwnPagesClient(app);
  await client.signIn(email, PASSWORD);
  return client;
}

async function post(body: string, author: { name: string } | null, token?: string) {
  const res = await api(app, 'POST', `/api/v1/threads/${threadId}/comments`, {
    body: { body, composeMs: 10_000, ...(author ? { author } : {}) }, token, headers: { origin: SITE_ORIGIN },
  });
  assert.equal(res.status, 201, res.text);
  return res.json as { comment: { id: string; status: string }; session?: { token: string } };
}

before(async () => {
  app = await startTestApp();
  const other = await createSite(app.deps, { slug: 'other', name: 'Other Site', origins: ['https://other.example.net'] });
  const people = [
    ['mod@news.example', app.site.id, 'moderator'], ['admin@news.example', app.site.id, 'admin'],
    ['mod@other.example', other.id, 'moderator'], ['reader@news.example', null, null],
  ] as const;
  for (const [email, siteId, role] of people) {
    const user = await createAccount(app.deps, { email, password: PASSWORD, displayName: email.split('@')[0], verified: true });
    if (siteId && role) await setRole(app.deps, { siteId, userId: user.id, role });
  }
  moderator = await signedIn('mod@news.example');
  await updateSitePolicy(app.deps, 'news', { premoderation: 'guests' });
  threadId = (await openThread(app, 'dashboard')).id;
  // The hostile guest's first comment, approved: their history on the site.
  const first = await post('My first words', { name: HOSTILE_NAME });
  guestToken = first.session!.token;
  const approved = await api(app, 'POST', `/api/v1/mod/comments/${first.comment.id}`, {
    body: { action: 'approve' }, headers: { cookie: `parley_session=${moderator.sessionToken}` },
  });
  assert.equal(approved.status, 403, 'a cookie post without its CSRF token is refused');
  const token = (await api(app, 'POST', '/api/v1/auth/login', { body: { email: 'mod@news.example', password: PASSWORD } })).json.session.token;
  assert.equal((await api(app, 'POST', `/api/v1/mod/comments/${first.comment.id}`, { body: { action: 'approve' }, token })).status, 200);
  await post('Another name, the same address', { name: 'Second Face' });
  held = (await post('Please look at **this** <script>alert(2)</script>', null, guestToken)).comment;
});
after(async () => { await app?.close(); });

describe('who gets into /admin', () => {
  it('sends a signed-out browser to sign in, and back', async () => {
    const stranger = new OwnPagesClient(app);
    const home = await stranger.get('/admin');
    assert.equal(home.status, 303);
    assert.equal(home.location, '/auth/signin?returnTo=%2Fadmin');
    const queue = await stranger.get('/admin/news?queue=flagged');
    assert.equal(queue.status, 303);
    assert.equal(queue.location, `/auth/signin?returnTo=${encodeURIComponent('/admin/news?queue=flagged')}`);
  });

  it('refuses a reader and another site\'s moderator with a 403 page, and lists each one\'s own sites', async () => {
    for (const email of ['reader@news.example', 'mod@other.example']) {
      const client = await signedIn(email);
      for (const path of ['/admin/news', '/admin/news?queue=spam', '/admin/news/audit']) {
        const res = await client.get(path);
        assert.equal(res.status, 403, `${email} ${path}`);
        assert.match(res.headers.get('content-type') ?? '', /text\/html/);
        assert.doesNotMatch(res.text, /Please look at/);
      }
      const home = await client.get('/admin');
      assert.equal(home.status, 200);
      assert.doesNotMatch(home.text, /href="\/admin\/news"/);
      if (email === 'mod@other.example') assert.match(home.text, /href="\/admin\/other">Other Site</);
      else assert.match(home.text, /You moderate no site/);
    }
    assert.equal((await moderator.get('/admin/nowhere')).status, 404);
  });

  it('lists the moderator\'s sites, with the settings link for a site\'s admins only', async () => {
    const home = await moderator.get('/admin');
    assert.match(home.text, /href="\/admin\/news">News</);
    assert.doesNotMatch(home.text, /\/sites\/news\/settings/);
    const admin = await signedIn('admin@news.example');
    assert.match((await admin.get('/admin')).text, /href="\/sites\/news\/settings"/);
    assert.match((await admin.get('/admin/news')).text, /href="\/sites\/news\/settings">Site settings</);
    assert.doesNotMatch((await moderator.get('/admin/news')).text, /\/sites\/news\/settings/);
  });
});

describe('a site\'s queues', () => {
  it('shows the held comment with its thread, why it is held, its author\'s history, and the counts', async () => {
    const res = await moderator.get('/admin/news');
    assert.equal(res.status, 200);
    const item = itemHtml(res.text, held.id);
    assert.match(item, /Please look at <strong>this<\/strong>/);
    assert.match(item, new RegExp(`href="${SITE_ORIGIN}/dashboard"`));
    assert.match(item, /Why here: <\/strong>pre-moderation/);
    assert.match(item, /1 published · 1 pending · 0 rejected · 0 spam/);
    assert.match(item, /Other names, same address<\/dt><dd>Second Face/);
    assert.match(item, /value="approve"[^>]*>Approve</);
    assert.match(item, /value="reject"[^>]*>Reject</);
    assert.match(item, /value="spam"[^>]*>Spam</);
    assert.match(item, /value="shadowban"[^>]*>Shadow-ban</);
    assert.match(item, /value="lock"[^>]*>Lock</);
    assert.match(res.text, /data-queue="pending">Pending<span class="count" data-count="pending">2</);
    assert.match(res.text, /aria-current="page" data-queue="pending"/);
  });

  it('escapes what readers wrote: a name that is markup stays text, and the body\'s markup was never raw', async () => {
    const res = await moderator.get('/admin/news');
    assert.equal(res.text.includes('Comment by &lt;img src=x onerror=alert(1)'), true, 'the name is shown as text');
    assert.equal(res.text.includes('<img'), false, 'no img element from the name');
    assert.equal(res.text.includes('<script>alert(2)'), false, 'no script from the body');
    assert.equal(res.text.includes('&lt;script&gt;alert(2)&lt;/script&gt;'), true, 'the body\'s markup is text');
  });

  it('loads the dashboard\'s script under the page\'s nonce, and lets it reach Parley only', async () => {
    const res = await moderator.get('/admin/news');
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /connect-src 'self' ws:\/\/127\.0\.0\.1:\d+;/);
    assert.match(res.text, new RegExp(`<script type="module" nonce="${nonce.replace(/[+/]/g, '\\$&')}" src="/admin.js">`));
    assert.match(res.text, /<input type="hidden" name="_csrf" value="[^"]+"/);
  });

  it('searches by text, author, status and days, within the open queue', async () => {
    const byText = await moderator.get('/admin/news?queue=recent&q=look');
    assert.ok(byText.text.includes(`data-id="${held.id}"`));
    assert.equal(count(byText.text, 'data-id="'), 1);
    const byAuthor = await moderator.get('/admin/news?queue=recent&author=Second');
    assert.equal(count(byAuthor.text, 'data-id="'), 1);
    assert.match(byAuthor.text, /Comment by Second Face/);
    const published = await moderator.get('/admin/news?queue=recent&status=approved');
    assert.equal(count(published.text, 'data-id="'), 1);
    const today = new Date().toISOString().slice(0, 10);
    const inDays = await moderator.get(`/admin/news?queue=recent&from=${today}&to=${today}&thread=&q=`);
    assert.equal(count(inDays.text, 'data-id="'), 3, 'empty fields filter nothing; "to" takes in its whole day');
    const before = await moderator.get('/admin/news?queue=recent&to=2000-01-01');
    assert.equal(count(before.text, 'data-id="'), 0);
    assert.match(before.text, /No comments yet\./);
    const bad = await moderator.get('/admin/news?thread=nope');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /thread/);
  });

  it('acts through plain forms when the script is not running, and the audit tab lists the action', async () => {
    const page = await moderator.get('/admin/news?queue=pending');
    assert.ok(moderator.csrf);
    const noToken = await moderator.post(`/admin/news/comments/${held.id}`, { action: 'reject', reason: 'Off topic', back: '/admin/news?queue=pending' }, { csrf: false });
    assert.equal(noToken.status, 403);
    const done = await moderator.post(`/admin/news/comments/${held.id}`, { action: 'reject', reason: 'Off topic', back: '/admin/news?queue=pending' });
    assert.equal(done.status, 303, done.text.slice(0, 300));
    assert.equal(done.location, '/admin/news?queue=pending');
    assert.ok(page.text.includes(held.id));
    assert.ok(!(await moderator.get('/admin/news?queue=pending')).text.includes(`data-id="${held.id}"`));
    const rejected = await moderator.get('/admin/news?queue=rejected');
    assert.match(itemHtml(rejected.text, held.id), /Public reason: <\/strong>Off topic/);

    const offSite = await moderator.post(`/admin/news/comments/${held.id}`, { action: 'restore', back: 'https://evil.example/' });
    assert.equal(offSite.location, '/admin/news', 'a form returns to the dashboard only');

    const audit = await moderator.get('/admin/news/audit');
    assert.equal(audit.status, 200);
    assert.match(audit.text, /<td>comment\.reject<\/td>/);
    assert.match(audit.text, /<td>comment\.restore<\/td>/);
    assert.match(audit.text, /<th scope="col">When<\/th>/);
  });

  it('suspends an author until a day and applies a bulk action through the forms', async () => {
    const second = await post('A third from the hostile guest', null, guestToken);
    await moderator.get('/admin/news');
    const userId = (await api(app, 'GET', '/api/v1/me', { token: guestToken })).json.user.id as string;
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const suspended = await moderator.post(`/admin/news/users/${userId}`, { action: 'suspend', until: tomorrow, site: 'news', back: '/admin/news' });
    assert.equal(suspended.status, 303, suspended.text.slice(0, 300));
    const refused = await api(app, 'POST', `/api/v1/threads/${threadId}/comments`, { body: { body: 'still here?', composeMs: 10_000 }, token: guestToken, headers: { origin: SITE_ORIGIN } });
    assert.equal(refused.status, 403);

    const bulk = await moderator.post('/admin/news/bulk', { ids: second.comment.id, action: 'spam', back: '/admin/news' });
    assert.equal(bulk.status, 303, bulk.text.slice(0, 300));
    assert.ok((await moderator.get('/admin/news?queue=spam')).text.includes(`data-id="${second.comment.id}"`));
    const none = await moderator.post('/admin/news/bulk', { action: 'spam', back: '/admin/news' });
    assert.equal(none.status, 400);
  });
});

/** The HTML of one queue item (its <li>). */
function itemHtml(page: string, id: string): string {
  const start = page.indexOf(`<li data-id="${id}"`);
  assert.ok(start >= 0, `item ${id} is on the page`);
  const end = page.indexOf('<li data-id="', start + 10);
  return page.slice(start, end < 0 ? page.indexOf('</ol>', start) : end);
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
