/**
 * "Continue with <provider>" in a real Chromium, against a real OpenID provider (oidc-provider,
 * its development login form): on Parley's own sign-in page, and from the widget of a site's
 * page through the sign-in popup.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { and, eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { resolveSession } from '../../src/server/auth/service.js';
import { identities } from '../../src/server/db/schema.js';
import type { RunningParley } from '../../src/server/runtime.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { startHostPages, type HostPages } from '../helpers/host-pages.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';

const skip = browserSkipReason();
const PROVIDER = 'Local OIDC';
let app: TestApp;
let provider: TestOidcProvider;
let browser: Browser;
let host: HostPages;
const contexts: BrowserContext[] = [];

before(async () => {
  if (skip) return;
  provider = await startOidcProvider();
  app = await startTestApp({
    oidcProviders: [{ id: 'local', name: PROVIDER, issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret }],
  });
  provider.serve(`${app.url}/auth/oidc/local/callback`);
  // The host pages need only Parley's address and services.
  host = await startHostPages({ url: app.url, deps: app.deps } as RunningParley, { slug: 'blog', name: 'Blog' });
  browser = await launchBrowser();
});
after(async () => {
  if (skip) return;
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  host?.close();
  await app?.close();
  await provider?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  return context.newPage();
}

/** The provider's development login form: any login name (it becomes the subject), any password. */
async function logInAtProvider(page: Page, login: string) {
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}

async function sessionCookie(page: Page): Promise<string> {
  const cookie = (await page.context().cookies(app.url)).find((c) => c.name === 'parley_session');
  assert.ok(cookie, 'Parley\'s session cookie is set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  return cookie.value;
}

describe('OpenID Connect sign-in in Chromium', { skip, timeout: 120_000 }, () => {
  it('signs in from Parley\'s sign-in page and lands on the account page, signed in', async () => {
    const page = await newPage();
    await page.goto(`${app.url}/auth/signin`);
    await page.getByRole('link', { name: `Continue with ${PROVIDER}` }).click();
    await logInAtProvider(page, 'ada');
    await page.waitForURL(`${app.url}/account`);
    assert.match(await page.content(), /Ada Lovelace/);

    const actor = await resolveSession(app.deps, await sessionCookie(page));
    assert.equal(actor.displayName, 'Ada Lovelace');
    assert.equal(actor.scope, 'full');
    const [identity] = await app.deps.db.select().from(identities).where(and(eq(identities.provider, 'oidc:local'), eq(identities.subject, 'ada')));
    assert.equal(identity.userId, actor.userId);
    // The flow's own cookie is gone once it is finished.
    assert.equal((await page.context().cookies(app.url)).some((c) => c.name === 'parley_oidc'), false);
  });

  it('refuses the same callback a second time', async () => {
    const page = await newPage();
    let callback: string | undefined;
    page.on('request', (request) => { if (request.url().startsWith(`${app.url}/auth/oidc/local/callback`)) callback ??= request.url(); });
    await page.goto(`${app.url}/auth/oidc/local?returnTo=/auth/signin`);
    await logInAtProvider(page, 'grace');
    await page.waitForURL(`${app.url}/auth/signin`);
    const replay = await page.goto(callback!);
    assert.equal(replay?.status(), 401);
    await page.getByText('has expired or was finished already').waitFor();
  });

  it('signs in from the widget on a site\'s page: the popup goes through the provider, closes, and the widget names the reader', async () => {
    const page = await newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${host.origin}/t/oidc`);
    const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
    await signIn.waitFor();
    const [popup] = await Promise.all([page.context().waitForEvent('page'), signIn.click()]);
    await popup.waitForLoadState();
    assert.equal(new URL(popup.url()).origin, app.url);
    await popup.getByRole('link', { name: `Continue with ${PROVIDER}` }).click();
    await Promise.all([popup.waitForEvent('close', { timeout: 15_000 }), logInAtProvider(popup, 'linus')]);

    await page.getByText('Signed in as Linus Lovelace').waitFor({ timeout: 5000 });
    await page.getByRole('textbox', { name: 'Comment' }).first().fill('Signed in with OpenID Connect.');
    await page.getByRole('button', { name: 'Post comment' }).first().click();
    await page.getByRole('article', { name: 'Comment by Linus Lovelace', exact: true }).waitFor();
    assert.deepEqual(errors, []);
  });
});
