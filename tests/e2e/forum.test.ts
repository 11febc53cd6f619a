/**
 * The forum in a real Chromium, with Parley run as `npm start` runs it (the demo site and its
 * seeded categories): a member starts a topic, another reader sees it arrive in the open
 * category list and replies; a comment under the demo article shows in its "Article
 * discussions" topic, live; pages pass axe, read without JavaScript, and lay Arabic out right to left.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAccount } from '../../src/server/auth/accounts.js';
import type { RunningParley } from '../../src/server/runtime.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';

const skip = browserSkipReason();
const require = createRequire(import.meta.url);
const axeSource = readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');
const MEMBER = { email: 'ana@example.org', password: 'member password', displayName: 'Ana Analyst' };

let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;
const contexts: BrowserContext[] = [];

before(async () => {
  if (skip) return;
  run = await startDemoWithBrowser({ RATE_LIMIT_POSTS_PER_MINUTE: '1000' });
  ({ parley, browser } = run);
  await createAccount(parley.deps, { ...MEMBER, verified: true });
});
after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await run?.stop();
});

async function newPage(problems: string[], options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext(options);
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text()); });
  page.on('response', (response) => { if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) problems.push(`${response.status()} ${response.url()}`); });
  return page;
}

async function assertAccessible(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations: AxeResults['violations'] = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const results = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  });
  const described = violations.map((v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n  ')}`).join('\n');
  assert.equal(violations.length, 0, `axe found serious violations ${state}:\n${described}`);
}

async function signIn(page: Page, returnTo: string): Promise<void> {
  await page.goto(`${parley.url}/auth/signin?returnTo=${encodeURIComponent(returnTo)}`);
  const form = page.locator('form[action="/auth/signin"]');
  await form.locator('input[name="email"]').fill(MEMBER.email);
  await form.locator('input[name="password"]').fill(MEMBER.password);
  await Promise.all([page.waitForURL(`${parley.url}${returnTo}`), form.getByRole('button', { name: 'Sign in', exact: true }).click()]);
}

/** An open list, once its live script has joined the forum's room. */
async function openList(page: Page, pathname: string): Promise<void> {
  await page.goto(`${parley.url}${pathname}`);
  await page.locator('#topic-list[data-live="on"]').waitFor({ state: 'attached', timeout: 10_000 });
}

describe('the forum, in Chromium', { skip, timeout: 180_000 }, () => {
  it('a member starts a topic; another reader sees it arrive in the open list, opens it and replies; the author sees the reply live', async () => {
    const problems: string[] = [];
    const reader = await newPage(problems);
    await openList(reader, '/forum/demo/c/analysis');
    await reader.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });
    await assertAccessible(reader, 'on a category page');

    const member = await newPage(problems);
    await signIn(member, '/forum/demo/new?category=analysis');
    await assertAccessible(member, 'on the new-topic form');
    await member.getByRole('textbox', { name: 'Title' }).fill('Reading AQIM\'s finances');
    await member.getByRole('textbox', { name: 'Body' }).fill('Where does the **ransom** money go?');
    await member.getByRole('button', { name: 'Preview' }).click();
    await member.getByRole('heading', { name: 'Preview' }).waitFor();
    assert.equal(await member.locator('.preview strong').innerText(), 'ransom');
    await Promise.all([member.waitForURL(/\/forum\/demo\/t\/[0-9a-f-]{36}\/reading-aqim-s-finances$/), member.getByRole('button', { name: 'Start topic' }).click()]);
    await member.getByRole('heading', { level: 1, name: 'Reading AQIM\'s finances' }).waitFor();
    // The widget takes over the thread: the first post, with the comment box under it.
    await member.getByRole('article', { name: 'Comment by Ana Analyst' }).waitFor({ timeout: 10_000 })
      .catch((err: Error) => { throw new Error(`${err.message}\n${problems.join('\n')}`); });

    // In the reader's open list, without a reload, announced politely.
    const link = reader.getByRole('link', { name: 'Reading AQIM\'s finances' });
    await link.waitFor({ timeout: 10_000 });
    await reader.getByRole('status').filter({ hasText: 'New topic: Reading AQIM\'s finances' }).waitFor();
    assert.equal(await reader.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, 'the page was not reloaded');
    await assertAccessible(reader, 'with a topic that arrived live');

    // A third reader keeps the forum's home open: the reply counts there, live.
    const watcher = await newPage(problems);
    await openList(watcher, '/forum/demo');
    const row = watcher.locator('#topic-list tr').filter({ hasText: 'Reading AQIM\'s finances' });
    assert.equal(await row.locator('[data-replies]').innerText(), '0');

    await link.click();
    await reader.getByRole('heading', { level: 1, name: 'Reading AQIM\'s finances' }).waitFor();
    const composer = reader.locator('form.composer:not(.reply-composer)').first();
    await composer.getByRole('textbox', { name: 'Name' }).fill('Ben Reader');
    await composer.getByRole('textbox', { name: 'Comment' }).fill('Mostly into weapons and recruits.');
    await composer.getByRole('button', { name: 'Post comment' }).click();
    const shadowText = (page: Page) => page.locator('#parley-thread').evaluate((el) => (el.shadowRoot?.querySelector('.parley') as HTMLElement | null)?.innerText?.slice(0, 1500));
    await reader.getByRole('article', { name: 'Comment by Ben Reader' }).waitFor({ timeout: 10_000 })
      .catch(async (err: Error) => { throw new Error(`reader: ${err.message}\n${problems.join('\n')}\n${await shadowText(reader)}`); });
    // Others' new comments wait behind the widget's "N new comments" button (it does not push the page).
    await member.getByRole('button', { name: /1 new comment/ }).first().click({ timeout: 10_000 });
    await member.getByRole('article', { name: 'Comment by Ben Reader' }).waitFor({ timeout: 10_000 })
      .catch(async (err: Error) => { throw new Error(`member: ${err.message}\n${problems.join('\n')}\n${await shadowText(member)}`); });
    await assertAccessible(reader, 'on a topic page with the widget');
    await watcher.waitForFunction(() => document.querySelector('#topic-list tr[data-topic-id] [data-replies]') !== null
      && [...document.querySelectorAll('#topic-list tr')].some((tr) => tr.textContent?.includes('Reading AQIM') && tr.querySelector('[data-replies]')?.textContent === '1'), undefined, { timeout: 10_000 });
    assert.equal(await watcher.locator('#topic-list tr').first().innerText().then((t) => t.includes('Reading AQIM')), true, 'moved to the top of the latest');
    assert.deepEqual(problems, []);
  });

  it('a comment under the demo article shows in its "Article discussions" topic, live', async () => {
    const problems: string[] = [];
    const forum = await newPage(problems);
    // The demo article's "Forums (Beta)" menu entry leads to the forum.
    await forum.goto(`${parley.url}/`);
    await Promise.all([forum.waitForURL(`${parley.url}/forum/demo`), forum.getByRole('link', { name: 'Forums (Beta)' }).click()]);
    await Promise.all([forum.waitForURL(`${parley.url}/forum/demo/c/article-discussions`), forum.getByRole('link', { name: 'Article discussions', exact: true }).click()]);
    const topic = forum.getByRole('link', { name: /AQIM/ }).first();
    await Promise.all([forum.waitForURL(/\/forum\/demo\/t\//), topic.click()]);
    await forum.getByRole('link', { name: 'Read the article' }).waitFor();
    await forum.getByRole('article', { name: 'Comment by Mariam K.' }).waitFor({ timeout: 10_000 });
    await forum.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/chunks/live-')));
    await forum.waitForTimeout(400);

    const article = await newPage(problems);
    await article.goto(`${parley.url}/`);
    const composer = article.locator('form.composer:not(.reply-composer)').first();
    await composer.getByRole('textbox', { name: 'Name' }).fill('Carla Commenter');
    await composer.getByRole('textbox', { name: 'Comment' }).fill('Posted under the article, read in the forum.');
    await composer.getByRole('button', { name: 'Post comment' }).click();
    await article.getByRole('article', { name: 'Comment by Carla Commenter' }).waitFor({ timeout: 10_000 })
      .catch(async (err: Error) => { throw new Error(`on the article: ${err.message}\n${await article.locator('#parley-thread').evaluate((el) => (el.shadowRoot?.querySelector('.parley') as HTMLElement | null)?.innerText?.slice(0, 2000))}`); });
    await forum.getByRole('button', { name: /1 new comment/ }).first().click({ timeout: 10_000 });
    await forum.getByRole('article', { name: 'Comment by Carla Commenter' }).waitFor({ timeout: 10_000 })
      .catch(async (err: Error) => { throw new Error(`in the forum: ${err.message}\n${await forum.locator('#parley-thread').evaluate((el) => (el.shadowRoot?.querySelector('.parley') as HTMLElement | null)?.innerText?.slice(0, 2000))}`); });
    assert.deepEqual(problems, []);
  });

  it('reads without JavaScript, passes axe on the home and search pages, keyboard to search, Arabic right to left', async () => {
    const problems: string[] = [];
    const home = await newPage(problems);
    await home.goto(`${parley.url}/forum/demo`);
    assert.equal(await home.title(), 'Forum · Parley demo (361Security) forum');
    for (const name of ['Global', 'Africa', 'Kenya', 'Middle East', 'Syria', 'Analysis', 'Article discussions']) {
      await home.getByRole('link', { name, exact: true }).waitFor();
    }
    await assertAccessible(home, 'on the forum home');
    // Keyboard: from the top of the page, Tab reaches the search box, Enter searches.
    await home.keyboard.press('Tab');
    await home.keyboard.press('Tab');
    assert.equal(await home.evaluate(() => document.activeElement?.id), 'forum-q');
    await home.keyboard.type('ransom');
    await Promise.all([home.waitForURL(/\/forum\/demo\/search\?q=ransom/), home.keyboard.press('Enter')]);
    await home.locator('mark').first().waitFor();
    await assertAccessible(home, 'on search results');

    // An Arabic topic, started through the API by the member's own session on Parley's pages.
    const member = await newPage(problems);
    await signIn(member, '/forum/demo/new?category=syria');
    await member.getByRole('textbox', { name: 'Title' }).fill('الأمن في سوريا');
    await member.getByRole('textbox', { name: 'Body' }).fill('تحليل الوضع الأمني في المنطقة.');
    await Promise.all([member.waitForURL(/\/forum\/demo\/t\//), member.getByRole('button', { name: 'Start topic' }).click()]);
    const heading = member.getByRole('heading', { level: 1 });
    assert.equal(await heading.evaluate((el) => getComputedStyle(el).direction), 'rtl');
    await assertAccessible(member, 'on an Arabic topic');
    const url = member.url();

    const noScript = await newPage(problems, { javaScriptEnabled: false });
    await noScript.goto(url);
    assert.equal(await noScript.getByRole('heading', { level: 1 }).innerText(), 'الأمن في سوريا');
    assert.ok(await noScript.getByText('تحليل الوضع الأمني في المنطقة.').isVisible(), 'the first post is readable without scripts');
    await noScript.goto(`${parley.url}/forum/demo/c/syria`);
    assert.ok(await noScript.getByRole('link', { name: 'الأمن في سوريا' }).isVisible());
    assert.deepEqual(problems, []);
  });
});
