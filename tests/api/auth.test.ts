/**
 * Accounts and sign-in from outside: a real SMTP server receives the mail and the test follows
 * its links; every refusal is checked for what the attacker gets (status, code, and no session).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { io } from 'socket.io-client';
import { createAccount } from '../../src/server/auth/accounts.js';
import { users } from '../../src/server/db/schema.js';
import { createSite, setSiteSsoSecret } from '../../src/server/sites/service.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';
import { OwnPagesClient } from '../helpers/own-pages.js';
import { linkIn, startMailbox, type TestMailbox } from '../helpers/smtp.js';

const SSO_SECRET = 'sso-secret-of-news-0123456789';
const OTHER_ORIGIN = 'https://other.example.net';

/** Disqus's remote_auth_s3: "<base64 JSON> <hex HMAC-SHA1 of '<base64> <ts>'> <ts>". */
function disqusPayload(user: object, secret = SSO_SECRET, timestamp = Math.floor(Date.now() / 1000)): string {
  const message = Buffer.from(JSON.stringify(user)).toString('base64');
  const signature = createHmac('sha1', secret).update(`${message} ${timestamp}`).digest('hex');
  return `${message} ${signature} ${timestamp}`;
}

describe('accounts and sign-in', () => {
  let app: TestApp;
  let mailbox: TestMailbox;
  let thread: { id: string };
  let account: { id: string };

  before(async () => {
    mailbox = await startMailbox();
    app = await startTestApp({ smtpUrl: mailbox.url });
    await setSiteSsoSecret(app.deps, 'news', SSO_SECRET);
    await createSite(app.deps, { slug: 'other', name: 'Other', origins: [OTHER_ORIGIN], ssoSecret: SSO_SECRET });
    thread = await openThread(app);
    account = await createAccount(app.deps, { email: 'reader@example.org', password: 'correct horse battery', displayName: 'Reader One', verified: true });
  });
  after(async () => {
    await app.close();
    await mailbox.close();
  });

  const login = (body: object, headers: Record<string, string> = {}) => api(app, 'POST', '/api/v1/auth/login', { body, headers });

  it('signs up, verifies by the mailed link (once), then signs in', async () => {
    const email = 'new.reader@example.org';
    const signup = await api(app, 'POST', '/api/v1/auth/signup', { body: { email, password: 'a long enough pass', displayName: 'New Reader' } });
    assert.equal(signup.status, 202);
    const early = await login({ email, password: 'a long enough pass' });
    assert.equal(early.status, 403);
    assert.equal(early.json.error.code, 'email_not_verified');
    const link = linkIn(await mailbox.next(email), `${app.url}/auth/verify`);
    const verified = await fetch(link);
    assert.equal(verified.status, 200);
    assert.match(await verified.text(), /Address confirmed/);
    const again = await fetch(link);
    assert.equal(again.status, 400, 'a verification link works once');
    const res = await login({ email, password: 'a long enough pass' });
    assert.equal(res.status, 200);
    assert.equal(res.json.user.displayName, 'New Reader');
    assert.equal(res.json.user.isGuest, false);
  });

  it('answers a sign-up for a taken address as any other, and mails the owner instead', async () => {
    const res = await api(app, 'POST', '/api/v1/auth/signup', { body: { email: 'READER@example.org', password: 'someone else pass', displayName: 'Impostor' } });
    assert.equal(res.status, 202);
    assert.deepEqual(res.json, { status: 'check-your-mail' });
    const mail = await mailbox.next('READER@example.org');
    assert.match(mail.subject, /already have an account/);
    const [row] = await app.deps.db.select({ name: users.displayName }).from(users).where(eq(users.id, account.id));
    assert.equal(row.name, 'Reader One');
  });

  it('two sign-ups racing with one address make one account', async () => {
    const email = 'racer@example.org';
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) =>
      api(app, 'POST', '/api/v1/auth/signup', { body: { email, password: `password number ${i}`, displayName: `Racer ${i}` } })));
    assert.deepEqual(results.map((r) => r.status), [202, 202, 202, 202]);
    const rows = await app.deps.db.select({ id: users.id }).from(users).where(eq(users.accountEmail, email));
    assert.equal(rows.length, 1);
  });

  it('refuses a wrong password and an unknown address alike', async () => {
    const wrong = await login({ email: 'reader@example.org', password: 'not the password' });
    const unknown = await login({ email: 'nobody@example.org', password: 'not the password' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.json, unknown.json);
    assert.equal(wrong.json.error.code, 'invalid_credentials');
    assert.equal(wrong.json.session, undefined);
  });

  it('a comment with an account token carries the account name, whatever `author` says', async () => {
    const { json } = await login({ email: 'reader@example.org', password: 'correct horse battery', site: 'news' }, { origin: SITE_ORIGIN });
    const res = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, {
      token: json.session.token, headers: { origin: SITE_ORIGIN }, body: { body: 'Signed comment', author: { name: 'Someone Else', email: 'x@example.org' } },
    });
    assert.equal(res.status, 201);
    assert.equal(res.json.comment.author.name, 'Reader One');
    assert.equal(res.json.comment.author.isGuest, false);
    const me = await api(app, 'GET', '/api/v1/me', { token: json.session.token });
    assert.equal(me.json.user.id, account.id);
  });

  it('a token bound to one site is refused on another; an unbound API token serves both', async () => {
    const bound = await login({ email: 'reader@example.org', password: 'correct horse battery', site: 'news' }, { origin: SITE_ORIGIN });
    const other = await api(app, 'GET', `/api/v1/threads?site=other&key=x&url=${encodeURIComponent(`${OTHER_ORIGIN}/x`)}`, { headers: { origin: OTHER_ORIGIN } });
    const onOther = await api(app, 'POST', `/api/v1/threads/${other.json.thread.id}/comments`, { token: bound.json.session.token, headers: { origin: OTHER_ORIGIN }, body: { body: 'cross-site' } });
    assert.equal(onOther.status, 403);
    const fromForeignPage = await login({ email: 'reader@example.org', password: 'correct horse battery', site: 'news' }, { origin: OTHER_ORIGIN });
    assert.equal(fromForeignPage.status, 403, 'a page of another site cannot get a token bound to this one');
    const unbound = await login({ email: 'reader@example.org', password: 'correct horse battery' });
    const posted = await api(app, 'POST', `/api/v1/threads/${other.json.thread.id}/comments`, { token: unbound.json.session.token, body: { body: 'script post' } });
    assert.equal(posted.status, 201);
  });

  it('signing out ends the token on HTTP and drops its open socket', async () => {
    const { json } = await login({ email: 'reader@example.org', password: 'correct horse battery', site: 'news' }, { origin: SITE_ORIGIN });
    const socket = io(app.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: json.session.token }, extraHeaders: { origin: SITE_ORIGIN } });
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
    const told = new Promise<void>((resolve) => socket.once('session:revoked', () => resolve()));
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const out = await api(app, 'POST', '/api/v1/auth/logout', { token: json.session.token });
    assert.equal(out.status, 200);
    await told;
    assert.equal(await dropped, 'io server disconnect');
    const me = await api(app, 'GET', '/api/v1/me', { token: json.session.token });
    assert.equal(me.status, 401);
    assert.equal(me.json.error.code, 'unauthorized');
    const replayed = await api(app, 'POST', '/api/v1/auth/logout', { token: json.session.token });
    assert.equal(replayed.status, 401);
  });

  it('refuses a tampered token and one past its expiry', async () => {
    const { json } = await login({ email: 'reader@example.org', password: 'correct horse battery', site: 'news' }, { origin: SITE_ORIGIN });
    const token: string = json.session.token;
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    assert.equal((await api(app, 'GET', '/api/v1/me', { token: tampered })).status, 401);
    assert.equal((await api(app, 'GET', '/api/v1/me', { token })).status, 200);
    app.clock.advance(31 * 86_400_000);
    try {
      const expired = await api(app, 'GET', '/api/v1/me', { token });
      assert.equal(expired.status, 401);
      assert.equal(expired.json.error.code, 'unauthorized');
    } finally {
      app.clock.advance(-31 * 86_400_000);
    }
  });

  it('throttles sign-in attempts per account: past the limit even the right password waits', async () => {
    const strict = await startTestApp({ signInsPer15Minutes: 3 });
    try {
      await createAccount(strict.deps, { email: 'target@example.org', password: 'the right password', displayName: 'Target', verified: true });
      for (let i = 0; i < 3; i++) {
        const res = await api(strict, 'POST', '/api/v1/auth/login', { body: { email: 'target@example.org', password: `guess ${i}` }, headers: { 'x-forwarded-for': `10.0.0.${i}` } });
        assert.equal(res.status, 401);
      }
      const right = await api(strict, 'POST', '/api/v1/auth/login', { body: { email: 'target@example.org', password: 'the right password' } });
      assert.equal(right.status, 429);
      assert.equal(right.json.session, undefined);
    } finally {
      await strict.close();
    }
  });

  describe('site SSO', () => {
    const person = { id: 'u-42', username: 'Site Member', email: 'member@news.example.org' };
    const sso = (site: string, payload: string, origin = SITE_ORIGIN) => api(app, 'POST', '/api/v1/auth/sso', { body: { site, payload }, headers: { origin } });

    it('signs a Disqus remote_auth_s3 user in; their comment carries the SSO name', async () => {
      const res = await sso('news', disqusPayload(person));
      assert.equal(res.status, 200);
      assert.equal(res.json.user.displayName, 'Site Member');
      const posted = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { token: res.json.session.token, headers: { origin: SITE_ORIGIN }, body: { body: 'from SSO' } });
      assert.equal(posted.json.comment.author.name, 'Site Member');
      assert.equal(posted.json.comment.author.isGuest, false);
    });

    it('accepts the JWT form', async () => {
      const jwt = await new SignJWT({ name: 'Jwt Member' }).setProtectedHeader({ alg: 'HS256' }).setSubject('jwt-7').setIssuedAt()
        .sign(new TextEncoder().encode(SSO_SECRET));
      const res = await sso('news', jwt);
      assert.equal(res.status, 200);
      assert.equal(res.json.user.displayName, 'Jwt Member');
      const forged = await new SignJWT({ name: 'Jwt Member' }).setProtectedHeader({ alg: 'HS256' }).setSubject('jwt-7').setIssuedAt()
        .sign(new TextEncoder().encode('another secret entirely'));
      assert.equal((await sso('news', forged)).json.error.code, 'invalid_sso');
    });

    it('refuses a bad signature, a timestamp outside two hours, and a malformed payload', async () => {
      for (const payload of [
        disqusPayload(person, 'not the site secret at all'),
        disqusPayload(person, SSO_SECRET, Math.floor(Date.now() / 1000) - 2 * 3600 - 60),
        disqusPayload(person, SSO_SECRET, Math.floor(Date.now() / 1000) + 2 * 3600 + 60),
        disqusPayload({}),
        'garbage',
      ]) {
        const res = await sso('news', payload);
        assert.equal(res.status, 401, payload);
        assert.equal(res.json.error.code, 'invalid_sso');
        assert.equal(res.json.session, undefined);
      }
    });

    it('refuses the same payload once its session signed out', async () => {
      const payload = disqusPayload({ ...person, id: 'u-replay' });
      const first = await sso('news', payload);
      assert.equal(first.status, 200);
      await api(app, 'POST', '/api/v1/auth/logout', { token: first.json.session.token });
      const replay = await sso('news', payload);
      assert.equal(replay.status, 401);
      assert.equal(replay.json.error.code, 'invalid_sso');
    });

    it('keeps sites apart: one site\'s SSO token is refused on another, and the same id is two people', async () => {
      const onNews = await sso('news', disqusPayload(person));
      const onOther = await sso('other', disqusPayload(person), OTHER_ORIGIN);
      assert.notEqual(onNews.json.user.id, onOther.json.user.id);
      const otherThread = await api(app, 'GET', `/api/v1/threads?site=other&key=y&url=${encodeURIComponent(`${OTHER_ORIGIN}/y`)}`, { headers: { origin: OTHER_ORIGIN } });
      const crossed = await api(app, 'POST', `/api/v1/threads/${otherThread.json.thread.id}/comments`, { token: onNews.json.session.token, headers: { origin: OTHER_ORIGIN }, body: { body: 'x' } });
      assert.equal(crossed.status, 403);
      const fromForeign = await sso('news', disqusPayload(person), OTHER_ORIGIN);
      assert.equal(fromForeign.status, 403, 'a page of another site cannot use this site\'s SSO');
    });
  });

  describe('honest guest names', () => {
    it('refuses a guest name that is, or looks like, a member\'s on this site, and only this site', async () => {
      // Reader One became a member of "news" by signing in there above.
      for (const name of ['Reader One', 'reader one', 'Rеаdеr Оnе' /* Cyrillic е, а, О */, 'Réader  One']) {
        const res = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { headers: { origin: SITE_ORIGIN }, body: { body: 'hi', author: { name } } });
        assert.equal(res.status, 409, name);
        assert.equal(res.json.error.code, 'name_taken');
        assert.equal(res.json.session, undefined);
      }
      const fine = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { headers: { origin: SITE_ORIGIN }, body: { body: 'hi', author: { name: 'Reader Two' } } });
      assert.equal(fine.status, 201);
      // A guest with a session cannot switch to the member's name either.
      const switched = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, {
        token: fine.json.session.token, headers: { origin: SITE_ORIGIN }, body: { body: 'hi', author: { name: 'READER ONE' } },
      });
      assert.equal(switched.status, 409);
    });
  });

  describe('Parley\'s own pages', () => {
    it('signs in with a cookie and follows only an on-site returnTo', async () => {
      const page = new OwnPagesClient(app);
      const res = await page.signIn('reader@example.org', 'correct horse battery', '/auth/popup?site=news&origin=https%3A%2F%2Fnews.example.org');
      assert.equal(res.status, 303);
      assert.equal(res.location, '/auth/popup?site=news&origin=https%3A%2F%2Fnews.example.org');
      for (const evil of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
        const other = new OwnPagesClient(app);
        const out = await other.signIn('reader@example.org', 'correct horse battery', evil);
        assert.equal(out.status, 303);
        assert.equal(out.location, '/account', evil);
      }
    });

    it('refuses a form without its CSRF token, or posted from another origin', async () => {
      const page = new OwnPagesClient(app);
      await page.get('/auth/signin');
      const bare = await page.post('/auth/signin', { email: 'reader@example.org', password: 'correct horse battery' }, { csrf: false });
      assert.equal(bare.status, 403);
      assert.equal(page.cookies.has('parley_session'), false);
      const foreign = await page.post('/auth/signin', { email: 'reader@example.org', password: 'correct horse battery' }, { headers: { origin: 'https://evil.example' } });
      assert.equal(foreign.status, 403);
      assert.equal(page.cookies.has('parley_session'), false);
      await page.signIn('reader@example.org', 'correct horse battery');
      const cookie = page.cookies.get('parley_session')!;
      const signOut = await page.post('/auth/signout', {}, { csrf: false });
      assert.equal(signOut.status, 403, 'a cross-site sign-out without the token does nothing');
      const popup = await page.get('/auth/popup?site=news&origin=https%3A%2F%2Fnews.example.org');
      assert.equal(popup.status, 200);
      assert.ok(cookie);
    });

    it('the popup hands a site token only to an origin of that site', async () => {
      const page = new OwnPagesClient(app);
      await page.signIn('reader@example.org', 'correct horse battery');
      const foreign = await page.get(`/auth/popup?site=news&origin=${encodeURIComponent('https://evil.example')}`);
      assert.equal(foreign.status, 400);
      assert.doesNotMatch(foreign.text, /"token"/);
      const otherSite = await page.get(`/auth/popup?site=news&origin=${encodeURIComponent(OTHER_ORIGIN)}`);
      assert.equal(otherSite.status, 400);
      const own = await page.get(`/auth/popup?site=news&origin=${encodeURIComponent(SITE_ORIGIN)}`);
      assert.equal(own.status, 200);
      const handed = /var message = (\{.*?\}), origin = "([^"]+)"/.exec(own.text);
      assert.ok(handed, 'the page posts a message');
      assert.equal(handed[2], SITE_ORIGIN);
      const message = JSON.parse(handed[1]);
      assert.equal(message.site, 'news');
      const onSite = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { token: message.session.token, headers: { origin: SITE_ORIGIN }, body: { body: 'via popup' } });
      assert.equal(onSite.json.comment.author.name, 'Reader One');
    });

    it('the cookie\'s full session is refused as a bearer token', async () => {
      const page = new OwnPagesClient(app);
      await page.signIn('reader@example.org', 'correct horse battery');
      const res = await api(app, 'GET', '/api/v1/me', { token: page.cookies.get('parley_session') });
      assert.equal(res.status, 401);
    });

    it('resets a password by the mailed link, once; the old password and every session end', async () => {
      const email = 'forgetful@example.org';
      await createAccount(app.deps, { email, password: 'the old password', displayName: 'Forgetful', verified: true });
      const before = await login({ email, password: 'the old password' });
      const page = new OwnPagesClient(app);
      await page.get('/auth/forgot');
      assert.equal((await page.post('/auth/forgot', { email })).status, 202);
      assert.equal((await page.post('/auth/forgot', { email: 'no.account@example.org' })).status, 202, 'an unknown address gets the same answer');
      const link = linkIn(await mailbox.next(email), `${app.url}/auth/reset`);
      const form = await page.get(link.slice(app.url.length));
      assert.equal(form.status, 200);
      const token = new URL(link).searchParams.get('token')!;
      assert.equal((await page.post('/auth/reset', { token, password: 'the new password' })).status, 200);
      assert.equal((await page.post('/auth/reset', { token, password: 'attacker password' })).status, 400, 'a reset link works once');
      assert.equal((await login({ email, password: 'the old password' })).status, 401);
      assert.equal((await login({ email, password: 'the new password' })).status, 200);
      assert.equal((await api(app, 'GET', '/api/v1/me', { token: before.json.session.token })).status, 401);
    });

    it('a mailed sign-in link needs a click (a scanner opening it signs nobody in) and works once', async () => {
      const page = new OwnPagesClient(app);
      await page.get('/auth/signin');
      await page.post('/auth/link-request', { email: 'reader@example.org' });
      const link = linkIn(await mailbox.next('reader@example.org'), `${app.url}/auth/link`);
      const opened = await page.get(link.slice(app.url.length));
      assert.equal(opened.status, 200);
      assert.equal(page.cookies.has('parley_session'), false);
      const token = new URL(link).searchParams.get('token')!;
      const used = await page.post('/auth/link', { token });
      assert.equal(used.status, 303);
      assert.ok(page.cookies.has('parley_session'));
      await page.get(link.slice(app.url.length));
      const again = await page.post('/auth/link', { token });
      assert.equal(again.status, 400);
    });

    it('a sign-in link raced by two requests signs in one of them', async () => {
      const page = new OwnPagesClient(app);
      await page.get('/auth/signin');
      await page.post('/auth/link-request', { email: 'reader@example.org' });
      const link = linkIn(await mailbox.next('reader@example.org'), `${app.url}/auth/link`);
      await page.get(link.slice(app.url.length));
      const token = new URL(link).searchParams.get('token')!;
      const results = await Promise.all(Array.from({ length: 5 }, () => page.post('/auth/link', { token })));
      assert.deepEqual(results.map((r) => r.status).sort(), [303, 400, 400, 400, 400]);
    });

    it('moves the account to a new address only when it confirms, with the password asked again', async () => {
      await createAccount(app.deps, { email: 'mover@example.org', password: 'mover password', displayName: 'Mover', verified: true });
      const embed = await login({ email: 'mover@example.org', password: 'mover password', site: 'news' }, { origin: SITE_ORIGIN });
      const byToken = await fetch(`${app.url}/account/email`, {
        method: 'POST', redirect: 'manual', body: new URLSearchParams({ email: 'stolen@example.org', password: 'mover password' }),
        headers: { authorization: `Bearer ${embed.json.session.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(byToken.status, 403, 'an embed token cannot change the address');
      const page = new OwnPagesClient(app);
      await page.signIn('mover@example.org', 'mover password');
      await page.get('/account');
      const wrong = await page.post('/account/email', { email: 'moved@example.org', password: 'not my password' });
      assert.equal(wrong.status, 401);
      await page.get('/account');
      const asked = await page.post('/account/email', { email: 'moved@example.org', password: 'mover password' });
      assert.equal(asked.status, 303);
      assert.match((await mailbox.next('mover@example.org')).text, /moved@example\.org/, 'the old address is told');
      const link = linkIn(await mailbox.next('moved@example.org'), `${app.url}/auth/email`);
      assert.equal((await login({ email: 'moved@example.org', password: 'mover password' })).status, 401, 'nothing moves before the link is followed');
      await page.get(link.slice(app.url.length));
      const token = new URL(link).searchParams.get('token')!;
      assert.equal((await page.post('/auth/email', { token })).status, 200);
      assert.equal((await login({ email: 'moved@example.org', password: 'mover password' })).status, 200);
      assert.equal((await login({ email: 'mover@example.org', password: 'mover password' })).status, 401);
      await page.get(link.slice(app.url.length));
      assert.equal((await page.post('/auth/email', { token })).status, 400, 'the link works once');
    });

    it('a tampered or made-up link is refused', async () => {
      assert.equal((await fetch(`${app.url}/auth/verify?token=${'A'.repeat(43)}`)).status, 400);
      assert.equal((await fetch(`${app.url}/auth/reset?token=${'B'.repeat(43)}`)).status, 400);
    });
  });
});
