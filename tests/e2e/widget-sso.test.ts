/**
 * A site signing its own readers in (SSO), in a real Chromium: an unchanged Disqus snippet
 * carrying `remote_auth_s3`, and Parley's own container carrying a JWT in `data-sso`. The
 * widget exchanges the payload before it asks for the reader's overlay, keeps the session
 * while the page names the same person, signs in again for another, signs out for Disqus's
 * logged-out payload, and says so when the payload is refused.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { errorMessages } from '../../src/shared/errors.js';
import { revokeSession } from '../../src/server/auth/service.js';
import type { RunningParley } from '../../src/server/runtime.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';
import { disqusPayload, meStatus, startSnippetPages, storedToken, type SnippetPages } from '../helpers/sign-in.js';

const skip = browserSkipReason();
const SITE = 'ssoblog';
const SECRET = 'the-site-sso-secret-0123456789';
let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;
let host: SnippetPages | undefined;
const contexts: BrowserContext[] = [];
/** What the site's server signs into the next page it serves, by path. */
const payloads = new Map<string, string>();

/** The snippet Disqus gives a site, with only its script address pointing at Parley. */
function disqusSnippet(key: string, payload: string | undefined, parleyUrl: string): string {
  return `<div id="disqus_thread"></div>
    <script>
      var disqus_config = function () {
        this.page.url = location.href.replace(/[?#].*$/, '');
        this.page.identifier = ${JSON.stringify(key)};
        this.page.title = 'An article';
        ${payload === undefined ? '' : `this.page.remote_auth_s3 = ${JSON.stringify(payload)};`}
        this.page.api_key = "public-key";
      };
      (function () {
        var d = document, s = d.createElement('script');
        s.src = ${JSON.stringify(`${parleyUrl}/embed.js`)};
        s.setAttribute('data-timestamp', +new Date());
        (d.head || d.body).appendChild(s);
      })();
    </script>`;
}

function parleySnippet(key: string, payload: string | undefined, parleyUrl: string): string {
  const sso = payload === undefined ? '' : ` data-sso="${payload}"`;
  return `<div id="parley-thread" data-site="${SITE}" data-key="${key}"${sso}></div>
    <script async src="${parleyUrl}/embed.js"></script>`;
}

before(async () => {
  if (skip) return;
  run = await startDemoWithBrowser();
  ({ parley, browser } = run);
  host = await startSnippetPages(parley, { slug: SITE, name: 'SSO blog', ssoSecret: SECRET }, (path, parleyUrl) => {
    const [, kind, key] = /^\/(disqus|parley)\/([\w-]+)/.exec(path) ?? [];
    if (!kind) return '';
    return (kind === 'disqus' ? disqusSnippet : parleySnippet)(key, payloads.get(path.replace(/\?.*$/, '')), parleyUrl);
  });
});
after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  host?.close();
  await run?.stop();
});

/** An HS256 JWT, as a site's server would sign one. */
function jwt(secret: string, claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

interface Reader {
  page: Page;
  /** Requests to Parley's API, as "METHOD /path" (no query). */
  calls: string[];
  errors: string[];
}

async function openReader(): Promise<Reader> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const calls: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === parley.url && url.pathname.startsWith('/api/')) calls.push(`${request.method()} ${url.pathname}`);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, calls, errors };
}

async function visit(reader: Reader, path: string) {
  reader.calls.length = 0;
  await reader.page.goto(`${host!.origin}${path}`);
  await reader.page.getByRole('button', { name: 'Post comment' }).first().waitFor();
}

const commentBy = (page: Page, author: string) => page.getByRole('article', { name: `Comment by ${author}`, exact: true });
const signedInAs = (page: Page, name: string) => page.getByText(`Signed in as ${name}`).waitFor({ timeout: 5000 });

async function assertNoAccountButtons(page: Page, state: string) {
  assert.equal(await page.getByRole('button', { name: /^Sign (in|out)$/ }).count(), 0, `the site owns sign-in and sign-out ${state}`);
}

describe('site sign-in (SSO) in the widget, in Chromium', { skip, timeout: 120_000 }, () => {
  it('signs the reader of an unchanged Disqus snippet in with remote_auth_s3, keeps them while the page names them, and follows the site\'s sign-out', async () => {
    const reader = await openReader();
    const { page } = reader;
    const sam = { id: 42, username: 'sso-sam', email: 'sam@example.org' };
    payloads.set('/disqus/post', disqusPayload(SECRET, sam));
    await visit(reader, '/disqus/post');
    await signedInAs(page, 'sso-sam');
    await assertNoAccountButtons(page, 'while signed in');
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).count(), 0, 'a signed-in reader gives no name');
    const exchange = reader.calls.indexOf('POST /api/v1/auth/sso');
    assert.ok(exchange >= 0, JSON.stringify(reader.calls));
    const overlay = reader.calls.findIndex((call) => /^GET \/api\/v1\/threads\/[^/]+\/me$/.test(call));
    assert.ok(overlay > exchange, `the overlay is the signed-in reader's: ${JSON.stringify(reader.calls)}`);
    assert.ok(!reader.calls.includes('GET /api/v1/me'), 'the exchange named the reader: no /me');

    await page.getByRole('textbox', { name: 'Comment' }).first().fill('Signed in by the site.');
    await page.getByRole('button', { name: 'Post comment' }).first().click();
    const mine = commentBy(page, 'sso-sam');
    await mine.waitFor();
    assert.equal(await mine.getByText('Guest', { exact: true }).count(), 0, 'no Guest badge on an SSO user\'s comment');
    const samToken = await storedToken(page, parley.url, SITE);
    assert.ok(samToken);

    // The site signs the payload anew on every view: the same person keeps their session.
    payloads.set('/disqus/post', disqusPayload(SECRET, sam, new Date(Date.now() + 5000)));
    await visit(reader, '/disqus/post');
    await signedInAs(page, 'sso-sam');
    assert.ok(!reader.calls.includes('POST /api/v1/auth/sso'), `no new sign-in for the same person: ${JSON.stringify(reader.calls)}`);
    assert.equal(await storedToken(page, parley.url, SITE), samToken);
    await commentBy(page, 'sso-sam').getByRole('button', { name: 'Edit' }).waitFor();

    // A kept session the server no longer knows (expired, revoked): the page's payload signs the reader in anew.
    await revokeSession(parley.deps, samToken);
    payloads.set('/disqus/post', disqusPayload(SECRET, sam, new Date(Date.now() + 10_000)));
    await visit(reader, '/disqus/post');
    await signedInAs(page, 'sso-sam');
    await commentBy(page, 'sso-sam').getByRole('button', { name: 'Edit' }).waitFor();
    const renewed = await storedToken(page, parley.url, SITE);
    assert.ok(renewed && renewed !== samToken, JSON.stringify(reader.calls));
    assert.ok(reader.calls.includes('POST /api/v1/auth/sso'));
    assert.equal(await meStatus(parley.url, renewed), 200);

    // Someone else signs in on the site, in this browser: the widget follows.
    payloads.set('/disqus/post', disqusPayload(SECRET, { id: 'u-7', username: 'sso-tia' }));
    await visit(reader, '/disqus/post');
    await signedInAs(page, 'sso-tia');
    assert.ok(reader.calls.includes('POST /api/v1/auth/sso'));
    const tiaToken = await storedToken(page, parley.url, SITE);
    assert.ok(tiaToken && tiaToken !== samToken);
    assert.equal(await meStatus(parley.url, renewed), 401, 'the previous person\'s session was ended');
    assert.equal(await commentBy(page, 'sso-sam').getByRole('button', { name: 'Edit' }).count(), 0, 'Sam\'s comment is not Tia\'s');

    // Disqus's logged-out payload: base64 of "{}", signed.
    payloads.set('/disqus/post', disqusPayload(SECRET, {}));
    await visit(reader, '/disqus/post');
    await page.getByRole('textbox', { name: 'Name' }).first().waitFor();
    assert.equal(await page.getByText('Signed in as').count(), 0);
    await assertNoAccountButtons(page, 'once the site signed the reader out');
    assert.equal(await storedToken(page, parley.url, SITE), null);
    assert.ok(!reader.calls.includes('POST /api/v1/auth/sso'), 'a logged-out payload is not sent');
    assert.equal(await meStatus(parley.url, tiaToken), 401, 'the session ended on the server too');
    assert.deepEqual(reader.errors, []);
  });

  it('signs the reader in from data-sso with a JWT, beside the thread request', async () => {
    const reader = await openReader();
    const now = Math.floor(Date.now() / 1000);
    payloads.set('/parley/jwt', jwt(SECRET, { sub: 'j-1', name: 'jwt-jo', email: 'jo@example.org', iat: now }));
    await visit(reader, '/parley/jwt');
    await signedInAs(reader.page, 'jwt-jo');
    await assertNoAccountButtons(reader.page, 'with data-sso');
    // The page names its site: the exchange need not wait for the thread.
    const exchange = reader.calls.indexOf('POST /api/v1/auth/sso');
    const thread = reader.calls.indexOf('GET /api/v1/threads');
    assert.ok(exchange >= 0 && thread > exchange, JSON.stringify(reader.calls));

    // A new signing of the same claims (a later iat) keeps the session.
    payloads.set('/parley/jwt', jwt(SECRET, { sub: 'j-1', name: 'jwt-jo', email: 'jo@example.org', iat: now + 3 }));
    await visit(reader, '/parley/jwt');
    await signedInAs(reader.page, 'jwt-jo');
    assert.ok(!reader.calls.includes('POST /api/v1/auth/sso'), JSON.stringify(reader.calls));
    assert.deepEqual(reader.errors, []);
  });

  it('says so when the payload is refused, and the reader goes on as a stranger who may comment as a guest', async () => {
    const reader = await openReader();
    const { page } = reader;
    payloads.set('/disqus/forged', disqusPayload('not-the-site-secret-at-all', { id: 1, username: 'sso-eve' }));
    await visit(reader, '/disqus/forged');
    await page.getByRole('alert').filter({ hasText: errorMessages.invalid_sso }).waitFor({ timeout: 5000 });
    assert.equal(await page.getByText('Signed in as').count(), 0);
    assert.equal(await storedToken(page, parley.url, SITE), null);
    await assertNoAccountButtons(page, 'with a refused payload');

    await page.getByRole('textbox', { name: 'Name' }).first().fill('Eve the guest');
    await page.getByRole('textbox', { name: 'Comment' }).first().fill('Still here.');
    await page.getByRole('button', { name: 'Post comment' }).first().click();
    await commentBy(page, 'Eve the guest').getByText('Guest', { exact: true }).waitFor();
    await page.getByText('Commenting as Eve the guest (guest)').waitFor({ timeout: 5000 });
    assert.deepEqual(reader.errors, []);
  });
});
