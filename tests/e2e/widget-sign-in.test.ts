/**
 * Signing in from the widget, in a real Chromium on a site's own origin: the popup on Parley's
 * origin hands the session back, the widget says who the reader is, comments carry the
 * account's name without the Guest badge, the session outlives a reload, and "Sign out" ends it
 * on the server. Guests stay marked, and may not take a member's name.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { errorMessages } from '../../src/shared/errors.js';
import { createAccount } from '../../src/server/auth/accounts.js';
import type { RunningParley } from '../../src/server/runtime.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';
import { startHostPages, type HostPages } from '../helpers/host-pages.js';
import { meStatus, storedToken } from '../helpers/sign-in.js';

const skip = browserSkipReason();
const require = createRequire(import.meta.url);
const axeSource = readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');
const SITE = 'members';
const ANN = { email: 'ann@example.org', password: 'correct horse battery', displayName: 'Ann Member' };
let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;
let host: HostPages | undefined;
const contexts: BrowserContext[] = [];

before(async () => {
  if (skip) return;
  run = await startDemoWithBrowser();
  ({ parley, browser } = run);
  host = await startHostPages(parley, { slug: SITE, name: 'Members' });
  await createAccount(parley.deps, { ...ANN, verified: true });
});
after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  host?.close();
  await run?.stop();
});

async function openThread(key: string, context?: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  if (!context) {
    context = await browser.newContext();
    contexts.push(context);
  }
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${host!.origin}/t/${key}`);
  await page.getByRole('button', { name: 'Post comment' }).first().waitFor();
  return { page, errors };
}

const commentBy = (page: Page, author: string) => page.getByRole('article', { name: `Comment by ${author}`, exact: true });

/** Others' new comments wait behind "N new comments" (they never push the page): shows them. */
const showNew = (page: Page, timeout = 5000) => page.getByRole('button', { name: /^\d+ new comments?$/ }).click({ timeout });

async function postComment(page: Page, body: string, guestName?: string) {
  if (guestName) await page.getByRole('textbox', { name: 'Name' }).first().fill(guestName);
  await page.getByRole('textbox', { name: 'Comment' }).first().fill(body);
  await page.getByRole('button', { name: 'Post comment' }).first().click();
}

/** Clicks "Sign in" and signs in as Ann in the popup, which closes itself once it has handed the session over. */
async function signInThroughPopup(page: Page) {
  const [popup] = await Promise.all([
    page.context().waitForEvent('page'),
    page.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
  await popup.waitForLoadState();
  assert.equal(new URL(popup.url()).origin, parley.url, 'the popup is on Parley\'s origin');
  const form = popup.locator('form[action="/auth/signin"]');
  await form.locator('input[name="email"]').fill(ANN.email);
  await form.locator('input[name="password"]').fill(ANN.password);
  await Promise.all([
    popup.waitForEvent('close', { timeout: 15_000 }),
    form.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
}

/** axe's WCAG 2.1 A/AA rules on the widget (inside its shadow root), as tests/e2e/accessibility.test.ts runs them. */
async function assertAccessible(page: Page, state: string) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const results = await axe.run({ include: [['#parley-thread']] }, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'],
    });
    return results.violations;
  });
  const described = (violations as AxeResults['violations']).map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  assert.deepEqual(described, [], `axe ${state}`);
}

describe('signing in from the widget, in Chromium', { skip, timeout: 120_000 }, () => {
  it('signs in through the popup, comments under the account\'s name, stays signed in across a reload, and signs out', async () => {
    const { page, errors } = await openThread('sign-in');
    const requestsToMe: string[] = [];
    page.on('request', (request) => { if (request.url() === `${parley.url}/api/v1/me`) requestsToMe.push(request.url()); });
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await page.getByText('Signed in as').count(), 0);

    await signInThroughPopup(page);
    await page.getByText(`Signed in as ${ANN.displayName}`).waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Sign in', exact: true }).count(), 0);
    assert.equal(await page.locator('.account img').getAttribute('alt'), '', 'the avatar is decoration: the name says who it is');
    assert.deepEqual(requestsToMe, [], 'the popup named the reader: no /me asked');
    // A signed-in reader is not asked for a name.
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).count(), 0);

    await postComment(page, 'Written with an account.');
    const mine = commentBy(page, ANN.displayName);
    await mine.waitFor();
    assert.match(await mine.innerText(), /Written with an account\./);
    assert.equal(await mine.getByText('Guest', { exact: true }).count(), 0, 'an account\'s comment has no Guest badge');
    await mine.getByRole('button', { name: 'Edit' }).waitFor();
    await assertAccessible(page, 'signed in');

    await page.reload();
    await page.getByText(`Signed in as ${ANN.displayName}`).waitFor({ timeout: 5000 });
    await commentBy(page, ANN.displayName).getByRole('button', { name: 'Edit' }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).count(), 0);

    const token = await storedToken(page, parley.url, SITE);
    assert.ok(token, 'the session is kept in the host page\'s storage');
    assert.equal(await meStatus(parley.url, token), 200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 5000 });
    assert.equal(await page.getByText('Signed in as').count(), 0);
    assert.equal(await storedToken(page, parley.url, SITE), null);
    assert.equal(await meStatus(parley.url, token), 401, 'the session ended on the server');
    // A stranger again: their comment is no longer theirs to change, and the form asks for a name.
    await page.getByRole('textbox', { name: 'Name' }).first().waitFor();
    assert.equal(await commentBy(page, ANN.displayName).getByRole('button', { name: 'Edit' }).count(), 0);
    assert.deepEqual(errors, []);
  });

  it('marks a guest\'s comments with a Guest badge, says the reader is a guest, and keeps members\' names from guests', async () => {
    const { page, errors } = await openThread('guests');
    await postComment(page, 'Just passing by.', 'Gus');
    const gus = commentBy(page, 'Gus');
    await gus.waitFor();
    await gus.getByText('Guest', { exact: true }).waitFor();
    await page.getByText('Commenting as Gus (guest)').waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await assertAccessible(page, 'for a guest, with a Guest badge');

    // Another reader sees the badge too, and none on a member's comment.
    const member = await openThread('guests');
    await signInThroughPopup(member.page);
    await member.page.getByText(`Signed in as ${ANN.displayName}`).waitFor({ timeout: 5000 });
    await postComment(member.page, 'A member replies.');
    await commentBy(member.page, ANN.displayName).waitFor();
    await commentBy(member.page, 'Gus').getByText('Guest', { exact: true }).waitFor();
    await showNew(page);
    await commentBy(page, ANN.displayName).waitFor({ timeout: 5000 });
    assert.equal(await commentBy(page, ANN.displayName).getByText('Guest', { exact: true }).count(), 0);

    // A new guest may not comment under the member's name (lookalikes included): the name field says so.
    const stranger = await openThread('guests');
    await postComment(stranger.page, 'Pretending.', 'ann  MEMBER');
    const error = stranger.page.getByText(errorMessages.name_taken);
    await error.waitFor({ timeout: 5000 });
    const name = stranger.page.getByRole('textbox', { name: 'Name' }).first();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    assert.equal(await name.getAttribute('aria-describedby'), await error.getAttribute('id'));
    assert.equal(await stranger.page.getByText('Pretending.').count(), 0);
    assert.deepEqual([...errors, ...member.errors, ...stranger.errors], []);
  });

  it('says so, with a link, when the browser blocks the popup', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    await context.addInitScript(() => { window.open = () => null; });
    const { page } = await openThread('blocked', context);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'blocked the sign-in window' }).waitFor();
    await assertAccessible(page, 'with the popup blocked');
    const link = page.getByRole('link', { name: 'Open sign-in in a new tab' });
    const href = new URL((await link.getAttribute('href'))!);
    assert.equal(href.origin + href.pathname, `${parley.url}/auth/popup`);
    assert.equal(href.searchParams.get('site'), SITE);
    assert.equal(href.searchParams.get('origin'), host!.origin);

    // The tab keeps its opener, so it hands the session back as the popup would.
    const [tab] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await tab.waitForLoadState();
    const form = tab.locator('form[action="/auth/signin"]');
    await form.locator('input[name="email"]').fill(ANN.email);
    await form.locator('input[name="password"]').fill(ANN.password);
    await Promise.all([tab.waitForEvent('close', { timeout: 15_000 }), form.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await page.getByText(`Signed in as ${ANN.displayName}`).waitFor({ timeout: 5000 });
    assert.equal(await page.getByText('blocked the sign-in window').count(), 0);
  });

  it('shows a second tab of the same browser signed out when the first signs out (the socket is told)', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const first = await openThread('two-tabs', context);
    await signInThroughPopup(first.page);
    await first.page.getByText(`Signed in as ${ANN.displayName}`).waitFor({ timeout: 5000 });
    const second = await openThread('two-tabs', context);
    await second.page.getByText(`Signed in as ${ANN.displayName}`).waitFor({ timeout: 5000 });
    // Its live connection carries the session once the live chunk has connected.
    await second.page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/chunks/live-')));
    await second.page.waitForTimeout(500);

    await first.page.getByRole('button', { name: 'Sign out' }).click();
    await first.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 5000 });
    await second.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 5000 });
    assert.equal(await second.page.getByText('Signed in as').count(), 0);

    // Its live updates came back, as a stranger's.
    await postComment(first.page, 'After signing out.', 'Gwen');
    await showNew(second.page);
    await commentBy(second.page, 'Gwen').waitFor({ timeout: 5000 });
    assert.deepEqual([...first.errors, ...second.errors], []);
  });

  it('ignores a look-alike message from any origin but Parley\'s', async () => {
    const { page } = await openThread('forged');
    await page.evaluate((site) => {
      window.postMessage({
        type: 'parley:signed-in', site,
        session: { token: 'forged-token-forged-token-forged', expiresAt: new Date(Date.now() + 3600_000).toISOString(), userId: 'x' },
        user: { id: 'x', displayName: 'Mallory', isGuest: false, avatarUrl: '' },
      }, '*');
    }, SITE);
    await page.waitForTimeout(300);
    assert.equal(await page.getByText('Signed in as').count(), 0);
    assert.equal(await storedToken(page, parley.url, SITE), null);
  });
});
