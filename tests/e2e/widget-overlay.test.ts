/**
 * The reader's own overlay over the page every reader shares, in a real Chromium: a returning
 * reader sees their votes, Edit and Delete on their comments and their comments awaiting
 * moderation, across sort changes and later pages; another reader sees none of it; and the
 * first paint asks Parley for no more than the thread, the overlay and widget.js.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import type { RunningParley } from '../../src/server/runtime.js';
import { postComment } from '../../src/server/comments/service.js';
import { sites } from '../../src/server/db/schema.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';
import { startHostPages, type HostPages } from '../helpers/host-pages.js';

const skip = browserSkipReason();
const SITE = 'mine';
let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;
let host: HostPages | undefined;
let siteOrigin: string;

before(async () => {
  if (skip) return;
  run = await startDemoWithBrowser();
  ({ parley, browser } = run);
  host = await startHostPages(parley, { slug: SITE, name: 'Mine' });
  siteOrigin = host.origin;
});
after(async () => {
  host?.close();
  await run?.stop();
});

/** A call to the API as a script on the site's page makes it; `token`: as that reader. */
async function call<T>(method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { origin: siteOrigin, 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${parley.url}/api/v1${path}`, {
    method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const json = await response.json() as T;
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

interface Posted { comment: { id: string; status: string }; session?: { token: string } }

async function siteThread(key: string): Promise<string> {
  const url = encodeURIComponent(`${siteOrigin}/t/${key}`);
  return (await call<{ thread: { id: string } }>('GET', `/threads?site=${SITE}&key=${key}&url=${url}`)).thread.id;
}

function post(threadId: string, body: string, options: { name?: string; token?: string; parentId?: string } = {}) {
  return call<Posted>('POST', `/threads/${threadId}/comments`, {
    token: options.token, body: { body, parentId: options.parentId, author: options.name ? { name: options.name } : undefined },
  });
}

function setPremoderation(mode: 'none' | 'all') {
  return parley.deps.db.update(sites).set({ premoderation: mode }).where(eq(sites.slug, SITE));
}

interface Reader {
  page: Page;
  /** Every request the page made to the Parley origin, in order. */
  requests: string[];
}

/** A reader in a browser profile of their own; with `token`, one who got a session here on an earlier visit. */
async function openReader(key: string, token?: string): Promise<Reader> {
  const context = await browser.newContext();
  if (token) {
    await context.addInitScript(({ origin, site, token }) => {
      localStorage.setItem(`parley:${origin}:token:${site}`, JSON.stringify(token));
    }, { origin: parley.url, site: SITE, token });
  }
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(parley.url)) requests.push(request.url().slice(parley.url.length));
  });
  await page.goto(`${siteOrigin}/t/${key}`);
  await page.getByRole('button', { name: 'Post comment' }).first().waitFor();
  return { page, requests };
}

const commentBy = (page: Page, author: string) => page.getByRole('article', { name: `Comment by ${author}`, exact: true });
const byText = (page: Page, text: string) => page.getByRole('article').filter({ hasText: text });

/** What a returning reader must see of their own on the thread `returning`, whatever the order shown. */
async function assertOwnShown(page: Page, state: string) {
  const olga = commentBy(page, 'Olga');
  await olga.getByRole('button', { name: 'Upvote', pressed: true }).waitFor({ timeout: 5000 });
  assert.equal(await olga.getByRole('button', { name: 'Downvote' }).getAttribute('aria-pressed'), 'false', state);
  assert.equal(await olga.locator('.score').innerText(), '1', `the score is upvotes - downvotes ${state}`);

  const earlier = byText(page, 'My earlier view');
  await earlier.getByRole('button', { name: 'Edit' }).waitFor({ timeout: 5000 });
  await earlier.getByRole('button', { name: 'Delete' }).waitFor();
  assert.equal(await earlier.getByRole('button', { name: /^(Upvote|Downvote)$/ }).count(), 0, `no votes on one's own comment ${state}`);

  // Under the comment it replies to, where a live reply of theirs would go.
  const held = page.getByRole('list', { name: 'Replies to Olga' }).getByRole('article').filter({ hasText: 'Held for review' });
  await held.getByText('Awaiting moderation').waitFor({ timeout: 5000 });
  await page.getByRole('heading', { level: 2, name: '2 Comments' }).waitFor();
}

describe('the reader\'s own overlay in Chromium', { skip, timeout: 120_000 }, () => {
  it('shows a returning reader their vote, Edit and Delete on their comment and their comment awaiting moderation; nobody else', async () => {
    const threadId = await siteThread('returning');
    const olga = await post(threadId, 'Olga\'s analysis', { name: 'Olga' });
    const earlier = await post(threadId, 'My earlier view', { name: 'Rita' });
    const token = earlier.session!.token;
    await call('POST', `/comments/${olga.comment.id}/vote`, { token, body: { value: 1 } });
    await setPremoderation('all');
    try {
      const held = await post(threadId, 'Held for review', { token, parentId: olga.comment.id });
      assert.equal(held.comment.status, 'pending');
    } finally {
      await setPremoderation('none');
    }

    const rita = await openReader('returning', token);
    await assertOwnShown(rita.page, 'on the first paint');
    await rita.page.getByRole('combobox', { name: 'Sort by' }).selectOption('oldest');
    await rita.page.locator('ul.comments[aria-busy="false"]').waitFor();
    await assertOwnShown(rita.page, 'after a sort change');

    const other = await openReader('returning');
    const seen = commentBy(other.page, 'Olga');
    await seen.waitFor();
    assert.equal(await seen.getByRole('button', { name: 'Upvote' }).getAttribute('aria-pressed'), 'false');
    assert.equal(await seen.locator('.score').innerText(), '1');
    const theirs = byText(other.page, 'My earlier view');
    await theirs.getByRole('button', { name: 'Upvote' }).waitFor();
    assert.equal(await theirs.getByRole('button', { name: /^(Edit|Delete)$/ }).count(), 0);
    assert.equal(await other.page.getByText('Held for review').count(), 0, 'a comment awaiting moderation is its author\'s alone');
    assert.ok(!other.requests.some((url) => url.endsWith('/me')), 'a reader without a session asks for no overlay');
    await rita.page.context().close();
    await other.page.context().close();
  });

  it('keeps the overlay on comments a later page brings', async () => {
    const threadId = await siteThread('paged');
    const own = await post(threadId, 'Mine, on the second page', { name: 'Sol' });
    const token = own.session!.token;
    // Another reader's comment on the second page too, voted on: then a page's worth of newer ones.
    const voted = await postComment(parley.deps, { actor: null, origin: siteOrigin, ip: '10.9.0.1' }, { threadId, body: 'Voted on', author: { name: 'Vic' } });
    await call('POST', `/comments/${voted.comment.id}/vote`, { token, body: { value: -1 } });
    for (let i = 0; i < 50; i++) {
      await postComment(parley.deps, { actor: null, origin: siteOrigin, ip: `10.9.1.${i + 1}` }, { threadId, body: `Bulk comment ${i}`, author: { name: `Bulk ${i}` } });
    }
    const { page } = await openReader('paged', token);
    await commentBy(page, 'Bulk 49').waitFor();
    assert.equal(await byText(page, 'Mine, on the second page').count(), 0, 'it is on the second page');
    await page.getByRole('button', { name: 'Load more comments' }).click();
    const mine = byText(page, 'Mine, on the second page');
    await mine.getByRole('button', { name: 'Edit' }).waitFor({ timeout: 5000 });
    assert.equal(await mine.getByRole('button', { name: 'Upvote' }).count(), 0);
    await commentBy(page, 'Vic').getByRole('button', { name: 'Downvote', pressed: true }).waitFor();
    assert.equal(await commentBy(page, 'Vic').locator('.score').innerText(), '-1');
    await page.context().close();
  });

  it('paints the thread after three requests past the loader: the thread with its first page, the overlay, widget.js', async () => {
    const threadId = await siteThread('requests');
    const { session } = await post(threadId, 'Counting requests', { name: 'Cy' });
    // The live chunk is asked for only once the thread shows: what comes before it is the first paint's.
    const firstPaint = async ({ page, requests }: Reader) => {
      await byText(page, 'Counting requests').waitFor();
      await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/chunks/live-')));
      const live = requests.findIndex((url) => url.includes('/chunks/live-') || url.startsWith('/socket.io/'));
      assert.ok(live > 0, JSON.stringify(requests));
      return requests.slice(0, live);
    };
    const shapes = (requests: string[]) => requests.map((url) => url
      .replace(/^\/api\/v1\/threads\?.*/, 'thread+page')
      .replace(/^\/api\/v1\/threads\/[^/]+\/me$/, 'overlay')).sort();

    const returning = await openReader('requests', session!.token);
    const before = await firstPaint(returning);
    assert.equal(before[0], '/embed.js', 'the page asks for the loader first');
    assert.deepEqual(shapes(before.slice(1)), ['/widget.js', 'overlay', 'thread+page'], JSON.stringify(before));
    assert.ok(before.length - 1 <= 3);
    await returning.page.context().close();

    const stranger = await openReader('requests');
    const strangers = await firstPaint(stranger);
    assert.deepEqual(shapes(strangers.slice(1)), ['/widget.js', 'thread+page'], 'a reader without a session asks for no overlay');
    await stranger.page.context().close();
  });
});
