import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningParley } from '../../src/server/runtime.js';
import { MAX_REPLAY } from '../../src/server/realtime/sockets.js';
import { postComment } from '../../src/server/comments/service.js';
import { createSite } from '../../src/server/sites/service.js';
import { resolveThread } from '../../src/server/threads/service.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';

const skip = browserSkipReason();
let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;
const contexts: BrowserContext[] = [];

before(async () => {
  if (skip) return;
  run = await startDemoWithBrowser();
  ({ parley, browser } = run);
});
after(async () => { await run?.stop(); });

/** A reader: a browser profile of their own (own storage, own guest identity) on the demo page. */
async function openReader(): Promise<{ page: Page; dialogs: string[]; errors: string[] }> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.accept(); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${parley.url}/`);
  await page.getByRole('button', { name: 'Post comment' }).first().waitFor();
  return { page, dialogs, errors };
}

/**
 * Cuts every live connection the way a network drop does, with the browser offline so it
 * cannot reconnect until `restore()`: what happens meanwhile reaches it only by replay.
 */
async function dropConnections(page: Page): Promise<{ restore(): Promise<void> }> {
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/chunks/live-')));
  await page.waitForTimeout(300);
  await page.context().setOffline(true);
  for (const socket of parley.io.sockets.sockets.values()) socket.conn.close();
  return { restore: () => page.context().setOffline(false) };
}

const comment = (page: Page, author: string) => page.getByRole('article', { name: `Comment by ${author}` });

/** Others' new comments wait behind "N new comments" (they never push the page): shows them. */
const showNew = (page: Page, timeout = 5000) => page.getByRole('button', { name: /^\d+ new comments?$/ }).click({ timeout });

describe('the widget in Chromium', { skip, timeout: 120_000 }, () => {
  it('renders the demo thread inside an open shadow root, with its sample comments', async () => {
    const { page, errors } = await openReader();
    const inShadow = await page.evaluate(() => {
      const host = document.getElementById('parley-thread');
      return Boolean(host?.shadowRoot?.querySelector('textarea')) && host?.querySelector('textarea') === null;
    });
    assert.equal(inShadow, true);
    await comment(page, 'Mariam K.').waitFor();
    await comment(page, 'يوسف').waitFor();
    // In view first: comments far from the viewport are not laid out (content-visibility), so have no innerText yet.
    await comment(page, 'Jeff H.').scrollIntoViewIfNeeded();
    await comment(page, 'Jeff H.').getByText(/West African transit routes/).waitFor();
    assert.deepEqual(errors, []);
  });

  it('shows a guest\'s comment and reply in another reader\'s page without a reload', async () => {
    const writer = await openReader();
    const reader = await openReader();
    const { page } = writer;
    await page.getByRole('textbox', { name: 'Name' }).first().fill('Grace');
    await page.getByRole('textbox', { name: 'Comment' }).first().fill('Ransom payments *fund* the next kidnapping.');
    await page.getByRole('button', { name: 'Post comment' }).first().click();
    const mine = comment(page, 'Grace');
    await mine.waitFor();
    assert.match(await mine.innerHTML(), /<em>fund<\/em>/);

    await showNew(reader.page);
    await comment(reader.page, 'Grace').waitFor({ timeout: 5000 });

    await mine.getByRole('button', { name: 'Reply' }).click();
    const replyBox = page.getByRole('textbox', { name: 'Comment' }).nth(1);
    await replyBox.fill('And a reply to myself, one level down.');
    await page.getByRole('button', { name: 'Post comment' }).nth(1).click();
    await reader.page.getByText('And a reply to myself, one level down.').waitFor({ timeout: 5000 });
    const nested = await reader.page.evaluate(() => {
      const root = document.getElementById('parley-thread')!.shadowRoot!;
      const top = [...root.querySelectorAll('article')].find((a) => a.getAttribute('aria-label') === 'Comment by Grace' && a.textContent?.includes('fund'));
      return top?.closest('li')?.querySelector(':scope li article')?.textContent?.includes('one level down') ?? false;
    });
    assert.equal(nested, true, 'the reply is nested under its parent');
  });

  it('shows edits, votes and deletions live, and only the author can edit', async () => {
    const writer = await openReader();
    const reader = await openReader();
    await writer.page.getByRole('textbox', { name: 'Name' }).first().fill('Hedy');
    await writer.page.getByRole('textbox', { name: 'Comment' }).first().fill('Draft one');
    await writer.page.getByRole('button', { name: 'Post comment' }).first().click();
    const own = comment(writer.page, 'Hedy');
    await own.waitFor();
    await showNew(reader.page);
    const seen = comment(reader.page, 'Hedy');
    await seen.waitFor({ timeout: 5000 });
    assert.equal(await seen.getByRole('button', { name: 'Edit' }).count(), 0, 'nobody else gets Edit');

    await own.getByRole('button', { name: 'Edit' }).click();
    await own.getByRole('textbox').fill('Draft two');
    await own.getByRole('button', { name: 'Save' }).click();
    await seen.getByText('Draft two').waitFor({ timeout: 5000 });

    // A reader without a session names themself before their first vote.
    await seen.getByRole('button', { name: 'Upvote' }).click();
    await seen.getByRole('textbox', { name: 'Your name' }).fill('Ivy');
    await seen.getByRole('button', { name: 'Vote as guest' }).click();
    await own.getByText('1', { exact: true }).waitFor({ timeout: 5000 });
    assert.equal(await own.getByRole('button', { name: 'Upvote' }).count(), 0, 'nobody votes on their own comment');

    await own.getByRole('button', { name: 'Delete' }).click();
    await seen.waitFor({ state: 'detached', timeout: 5000 });
  });

  it('shows hostile markup as text and runs none of it', async () => {
    const writer = await openReader();
    const reader = await openReader();
    const attack = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    await writer.page.getByRole('textbox', { name: 'Name' }).first().fill('Mallory');
    await writer.page.getByRole('textbox', { name: 'Comment' }).first().fill(attack);
    await writer.page.getByRole('button', { name: 'Post comment' }).first().click();
    for (const { page } of [writer, reader]) {
      if (page === reader.page) await showNew(page);
      const shown = comment(page, 'Mallory');
      await shown.waitFor({ timeout: 5000 });
      assert.match(await shown.innerText(), /<img src=x onerror=alert\(1\)><script>alert\(2\)<\/script>/);
      assert.equal(await shown.locator('img, script').count(), 0);
    }
    await writer.page.waitForTimeout(300);
    assert.deepEqual([...writer.dialogs, ...reader.dialogs], []);
  });

  it('catches up on what was posted while its connection was down', async () => {
    const reader = await openReader();
    const drop = await dropConnections(reader.page);
    const thread = await (await fetch(`${parley.url}/api/v1/threads?site=demo&key=aqim-funding-sources`)).json() as { thread: { id: string } };
    const post = await fetch(`${parley.url}/api/v1/threads/${thread.thread.id}/comments`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'Posted while you were offline', author: { name: 'Ida' } }),
    });
    assert.equal(post.status, 201);
    await reader.page.waitForTimeout(500);
    assert.equal(await comment(reader.page, 'Ida').count(), 0, 'nothing arrives while offline');
    await drop.restore();
    await showNew(reader.page, 15_000);
    await comment(reader.page, 'Ida').waitFor({ timeout: 15_000 });
  });

  it('re-reads the thread when it missed more than the server replays', async () => {
    const reader = await openReader();
    const drop = await dropConnections(reader.page);
    const threadId = (await (await fetch(`${parley.url}/api/v1/threads?site=demo&key=aqim-funding-sources`)).json() as { thread: { id: string } }).thread.id;
    // More changes than one replay carries (MAX_REPLAY): votes, as the log records them (by comment id).
    await parley.database.pool.query(
      `insert into thread_events (thread_id, type, comment_id)
       select $1, 'vote:updated', (select id from comments where thread_id = $1 limit 1)
       from generate_series(1, ${MAX_REPLAY + 5})`, [threadId]);
    const post = await fetch(`${parley.url}/api/v1/threads/${threadId}/comments`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'Beyond the replay window', author: { name: 'Jo' } }),
    });
    assert.equal(post.status, 201);
    await drop.restore();
    await comment(reader.page, 'Jo').waitFor({ timeout: 15_000 });
  });

  it('works from an unchanged Disqus snippet on another origin, with count.js', async () => {
    const host = http.createServer((req, res) => {
      const page = `http://127.0.0.1:${(host.address() as AddressInfo).port}/post-9`;
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><html><head><title>Post 9</title></head><body>
        <p><a id="count" href="${page}#disqus_thread">Comments</a></p>
        <div id="disqus_thread"></div>
        <script>var disqus_config = function () { this.page.url = '${page}'; this.page.identifier = 'post-9'; this.page.title = 'Post 9'; };</script>
        <script async src="${parley.url}/embed.js"></script>
        <script async src="${parley.url}/count.js"></script>
      </body></html>`);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    try {
      await createSite(parley.deps, { slug: 'cross', name: 'Cross-origin blog', origins: [origin] });
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${origin}/post-9`);
      await page.getByRole('textbox', { name: 'Name' }).first().fill('Lin');
      await page.getByRole('textbox', { name: 'Comment' }).first().fill('Hello from a Disqus snippet');
      await page.getByRole('button', { name: 'Post comment' }).first().click();
      await comment(page, 'Lin').waitFor();
      await page.reload();
      await comment(page, 'Lin').waitFor();
      await page.waitForFunction(() => document.getElementById('count')?.textContent === '1 Comment', undefined, { timeout: 5000 });
    } finally {
      host.close();
    }
  });

  it('loads more comments past the first page and moves focus to the first new one', async () => {
    const { thread } = await resolveThread(parley.deps, { actor: null, origin: null }, { site: 'demo', key: 'aqim-funding-sources' });
    for (let i = 0; i < 50; i++) {
      await postComment(parley.deps, { actor: null, origin: null }, { threadId: thread.id, body: `Bulk comment ${i}`, author: { name: `Bulk ${i}` } });
    }
    const { page } = await openReader();
    await comment(page, 'Bulk 49').waitFor();
    assert.equal(await comment(page, 'Mariam K.').count(), 0, 'the oldest comments are on the next page');
    await page.getByRole('button', { name: 'Load more comments' }).focus();
    await page.keyboard.press('Enter');
    await comment(page, 'Mariam K.').waitFor();
    const focused = await page.evaluate(() => document.getElementById('parley-thread')?.shadowRoot?.activeElement?.getAttribute('aria-label'));
    assert.match(focused ?? '', /^Comment by /, 'focus lands on the first newly loaded comment');
    assert.equal(await page.getByRole('button', { name: 'Load more comments' }).count(), 0);
  });
});
