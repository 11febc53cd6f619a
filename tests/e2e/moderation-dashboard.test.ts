/**
 * The moderators' dashboard in a real Chromium, with Parley run as `npm start` runs it: a
 * moderator signs in on Parley's pages and opens /admin/demo; a guest's comment on the demo
 * article, held for review, arrives in the open Pending queue without a reload; the moderator
 * approves it with the keyboard; it leaves the queue and appears on the open pages of the
 * article. axe checks the dashboard in the states a moderator reaches.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { createAccount, setRole } from '../../src/server/auth/accounts.js';
import type { RunningParley } from '../../src/server/runtime.js';
import { findSiteBySlug, updateSitePolicy } from '../../src/server/sites/service.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';

const skip = browserSkipReason();
const require = createRequire(import.meta.url);
const axeSource = readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');
const MODERATOR = { email: 'mona@example.org', password: 'moderator password', displayName: 'Mona Moderator' };

let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;
const contexts: BrowserContext[] = [];

before(async () => {
  if (skip) return;
  // Every reader here posts from 127.0.0.1: the per-address limits are not under test.
  run = await startDemoWithBrowser({ RATE_LIMIT_POSTS_PER_MINUTE: '1000' });
  ({ parley, browser } = run);
  const site = (await findSiteBySlug(parley.deps, 'demo'))!;
  const moderator = await createAccount(parley.deps, { ...MODERATOR, verified: true });
  await setRole(parley.deps, { siteId: site.id, userId: moderator.id, role: 'moderator' });
  await updateSitePolicy(parley.deps, 'demo', { premoderation: 'guests' });
});
after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await run?.stop();
});

/** A browser profile of its own; what goes wrong in its pages (errors, refused by the CSP) is kept. */
async function newPage(problems: string[]): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(error.message));
  // Failed loads are told by their response (which names the address); a browser asks for a favicon by itself.
  page.on('console', (message) => { if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text()); });
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) problems.push(`${response.status()} ${response.url()}`);
  });
  return page;
}

/** Signs the moderator in through Parley's sign-in page, which sends them on to the dashboard. */
async function openDashboard(problems: string[]): Promise<Page> {
  const page = await newPage(problems);
  await page.goto(`${parley.url}/admin/demo`);
  assert.equal(new URL(page.url()).pathname, '/auth/signin', 'signed out, the dashboard asks to sign in');
  const form = page.locator('form[action="/auth/signin"]');
  await form.locator('input[name="email"]').fill(MODERATOR.email);
  await form.locator('input[name="password"]').fill(MODERATOR.password);
  await Promise.all([page.waitForURL(`${parley.url}/admin/demo`), form.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  await page.getByRole('heading', { level: 1, name: 'Moderation of Parley demo (361Security)' }).waitFor();
  await page.getByText('Live updates: on.').waitFor({ timeout: 10_000 });
  return page;
}

/** The demo article as a reader sees it, live updates joined. */
async function openArticle(problems: string[]): Promise<Page> {
  const page = await newPage(problems);
  await page.goto(`${parley.url}/`);
  await page.getByRole('button', { name: 'Post comment' }).first().waitFor();
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/chunks/live-')));
  await page.waitForTimeout(400);
  return page;
}

const queueItem = (page: Page, author: string) => page.locator('#items').getByRole('article', { name: `Comment by ${author}`, exact: true });
const commentBy = (page: Page, author: string) => page.getByRole('article', { name: `Comment by ${author}`, exact: true });
const pendingCount = (page: Page) => page.locator('[data-count="pending"]').innerText();

/** axe's WCAG 2.1 A/AA rules on the whole dashboard page (injected past the page's CSP, as a debugger does). */
async function assertAccessible(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations: AxeResults['violations'] = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const results = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return results.violations;
  });
  const described = violations.map((v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n  ')}`).join('\n');
  assert.equal(violations.length, 0, `axe found violations ${state}:\n${described}`);
}

/** Which element has the focus, as a test can name it. */
const focusedLabel = (page: Page) => page.evaluate(() => {
  const active = document.activeElement as HTMLElement | null;
  const labelledBy = active?.getAttribute('aria-labelledby');
  return labelledBy ? document.getElementById(labelledBy)?.textContent ?? '' : active?.textContent?.trim() ?? '';
});

async function writeComment(page: Page, name: string, body: string): Promise<void> {
  const composer: Locator = page.locator('form.composer:not(.reply-composer)').first();
  await composer.getByRole('textbox', { name: 'Name' }).fill(name);
  await composer.getByRole('textbox', { name: 'Comment' }).fill(body);
  await composer.getByRole('button', { name: 'Post comment' }).click();
}

describe('the moderators\' dashboard, in Chromium', { skip, timeout: 120_000 }, () => {
  it('takes in a held comment live, approves it with the keyboard, and the article\'s open pages get it', async () => {
    const problems: string[] = [];
    const dashboard = await openDashboard(problems);
    await dashboard.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });
    const before = Number(await pendingCount(dashboard));
    await assertAccessible(dashboard, 'on the open Pending queue');

    const reader = await openArticle(problems);
    const author = await openArticle(problems);
    await writeComment(author, 'Gus Guest', 'A held thought about the Sahel.');
    const mine = commentBy(author, 'Gus Guest');
    await mine.getByText('Awaiting moderation').waitFor({ timeout: 5000 });

    // In the open queue, without a reload.
    const item = queueItem(dashboard, 'Gus Guest');
    await item.waitFor({ timeout: 10_000 });
    assert.match(await item.innerText(), /A held thought about the Sahel\./);
    assert.match(await item.innerText(), /Why here: pre-moderation/);
    assert.equal(Number(await pendingCount(dashboard)), before + 1);
    await dashboard.getByRole('status').filter({ hasText: '1 new comment in Pending.' }).waitFor();
    assert.equal(await dashboard.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, 'the page was not reloaded');
    assert.equal(await commentBy(reader, 'Gus Guest').count(), 0, 'nobody else sees a held comment');
    await assertAccessible(dashboard, 'with a comment that arrived live');

    // The newest comment is the first in the queue: j focuses it, a approves it.
    await dashboard.locator('body').click({ position: { x: 2, y: 2 } });
    await dashboard.keyboard.press('j');
    assert.equal(await focusedLabel(dashboard), 'Comment by Gus Guest');
    await dashboard.keyboard.press('a');
    await item.waitFor({ state: 'detached', timeout: 10_000 });
    await dashboard.getByRole('status').filter({ hasText: 'Approved.' }).waitFor();
    assert.equal(Number(await pendingCount(dashboard)), before);
    assert.equal(await dashboard.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, 'approved through the API: no form post, no reload');

    // Published, live, on the article's open pages: the third reader's and the author's (the note goes).
    // For the third reader it is another's new comment: it waits behind "1 new comment" (it never pushes the page).
    await reader.getByRole('button', { name: /^1 new comment$/ }).click({ timeout: 10_000 });
    await commentBy(reader, 'Gus Guest').getByText('A held thought about the Sahel.').waitFor({ timeout: 10_000 });
    await mine.getByText('Awaiting moderation').waitFor({ state: 'detached', timeout: 10_000 });
    await mine.getByText('A held thought about the Sahel.').waitFor();
    assert.deepEqual(problems, []);
  });

  it('lets go of a comment another moderator acted on, and keeps keys to the fields while typing', async () => {
    const problems: string[] = [];
    const dashboard = await openDashboard(problems);
    const author = await openArticle(problems);
    await writeComment(author, 'Rita Reader', 'Another moderator will see to this.');
    const item = queueItem(dashboard, 'Rita Reader');
    await item.waitFor({ timeout: 10_000 });

    // Typing "a" in a reason field types it: nothing is approved.
    await item.getByRole('textbox', { name: 'Public reason (if rejected)' }).fill('');
    await item.getByRole('textbox', { name: 'Public reason (if rejected)' }).pressSequentially('as');
    assert.equal(await item.getByRole('textbox', { name: 'Public reason (if rejected)' }).inputValue(), 'as');
    assert.equal(await item.count(), 1);

    // x selects the focused comment; the selection is what the bulk buttons act on.
    await item.focus();
    await dashboard.keyboard.press('x');
    assert.equal(await item.getByRole('checkbox').isChecked(), true);

    // Another moderator (a second tab of the same moderator will do) rejects it: it leaves this queue.
    const other = await openDashboard(problems);
    const there = queueItem(other, 'Rita Reader');
    await there.getByRole('button', { name: 'Reject' }).click();
    await there.waitFor({ state: 'detached', timeout: 10_000 });
    await item.waitFor({ state: 'detached', timeout: 10_000 });
    assert.deepEqual(problems, []);
  });

  it('shows the keys in a help dialog, reached by ? and by its button, and passes axe there and on the audit tab', async () => {
    const problems: string[] = [];
    const dashboard = await openDashboard(problems);
    await dashboard.keyboard.press('?');
    const help = dashboard.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    assert.match(await help.innerText(), /j\s+next comment/);
    assert.equal(await focusedLabel(dashboard), 'Close');
    await assertAccessible(dashboard, 'with the keys\' help open');
    await dashboard.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    await dashboard.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    await help.waitFor();
    await help.getByRole('button', { name: 'Close' }).click();
    await help.waitFor({ state: 'hidden' });
    assert.equal(await focusedLabel(dashboard), 'Keyboard shortcuts');

    await dashboard.getByRole('link', { name: 'Audit' }).click();
    await dashboard.getByRole('heading', { name: 'Audit log' }).waitFor();
    assert.match(await dashboard.locator('table.audit').innerText(), /comment\.approve/);
    await assertAccessible(dashboard, 'on the audit tab');
    await dashboard.goto(`${parley.url}/admin`);
    await dashboard.getByRole('link', { name: 'Parley demo (361Security)' }).waitFor();
    await assertAccessible(dashboard, 'on the list of sites');
    assert.deepEqual(problems, []);
  });
});
