/**
 * The widget against the server's rules for identity, votes, deletions and paging, in a real
 * Chromium: guest votes ask for a name, a session serves one site only, the server decides
 * which placeholders stay, and no live event is lost while a page of comments loads.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page, Route } from 'playwright-core';
import type { RunningParley } from '../../src/server/runtime.js';
import type { Caller } from '../../src/server/deps.js';
import { postComment } from '../../src/server/comments/service.js';
import { createSite } from '../../src/server/sites/service.js';
import { resolveThread } from '../../src/server/threads/service.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';
import { startHostPages, type HostPages } from '../helpers/host-pages.js';

const skip = browserSkipReason();
let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;
let host: HostPages | undefined;
let siteOrigin: string;

before(async () => {
  if (skip) return;
  run = await startDemoWithBrowser();
  ({ parley, browser } = run);
  host = await startHostPages(parley, { slug: 'live', name: 'Live' });
  siteOrigin = host.origin;
});
after(async () => {
  host?.close();
  await run?.stop();
});

let visitors = 0;
/** A visitor of the site's pages, each from an address of their own so no rate limit is shared. */
function visitor(origin = siteOrigin): Caller {
  visitors++;
  return { actor: null, origin, ip: `10.7.${Math.floor(visitors / 250)}.${(visitors % 250) + 1}` };
}

/** The thread of a page of the site, created as its first view from the site's origin would. */
async function siteThread(key: string): Promise<string> {
  const { thread } = await resolveThread(parley.deps, visitor(), { site: 'live', key, url: `${siteOrigin}/t/${key}`, title: key });
  return thread.id;
}

async function post(threadId: string, name: string, body: string, parentId?: string) {
  return postComment(parley.deps, visitor(), { threadId, body, author: { name }, parentId });
}

/** A reader with a browser profile of their own, on the site's page that embeds thread `key`. */
async function openReader(key: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${siteOrigin}/t/${key}`);
  await page.getByRole('button', { name: 'Post comment' }).first().waitFor();
  return page;
}

const commentBy = (page: Page, author: string) => page.getByRole('article', { name: `Comment by ${author}`, exact: true });
const heading = (page: Page) => page.getByRole('heading', { level: 2 });

/** Others' new comments wait behind "N new comments" (they never push the page): shows them. */
const showNew = (page: Page, timeout = 5000) => page.getByRole('button', { name: /^\d+ new comments?$/ }).click({ timeout });

/** Waits until the thread's header shows `count` comments: live events have arrived by then. */
function countShows(page: Page, count: number) {
  return heading(page).filter({ hasText: new RegExp(`^${count} Comments?$`) }).waitFor({ timeout: 5000 });
}

/**
 * Holds the comments page requests matching `pattern` after the server has answered them, so
 * what happens meanwhile is newer than the page: `fetched` resolves once the answer is in,
 * `release()` hands it to the widget.
 */
async function holdPages(page: Page, pattern: RegExp) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let fetched!: () => void;
  const answered = new Promise<void>((resolve) => { fetched = resolve; });
  await page.route(pattern, async (route: Route) => {
    const response = await route.fetch();
    fetched();
    await released;
    await route.fulfill({ response });
  });
  return { fetched: answered, release };
}

function isFocused(page: Page, name: string): Promise<boolean> {
  return page.waitForFunction((label) => {
    const active = document.getElementById('parley-thread')?.shadowRoot?.activeElement;
    return active?.getAttribute('aria-label') === label || active?.closest('label')?.textContent === label;
  }, name, { timeout: 2000 }).then(() => true, () => false);
}

describe('the widget and the server\'s rules, in Chromium', { skip, timeout: 120_000 }, () => {
  it('asks a reader without a session for a name before their first vote, and counts it', async () => {
    const threadId = await siteThread('votes');
    await post(threadId, 'Olga', 'Worth a vote.');
    const page = await openReader('votes');
    const olga = commentBy(page, 'Olga');
    await olga.waitFor();

    await olga.getByRole('button', { name: 'Upvote' }).click();
    const name = olga.getByRole('textbox', { name: 'Your name' });
    await name.waitFor();
    assert.equal(await isFocused(page, 'Your name'), true, 'focus moves into the name prompt');
    await page.keyboard.press('Escape');
    await name.waitFor({ state: 'detached' });
    assert.equal(await isFocused(page, 'Upvote'), true, 'Escape abandons the vote; focus is back on Upvote');
    assert.equal(await olga.locator('.score').innerText(), '0', 'nothing was counted');

    await olga.getByRole('button', { name: 'Upvote' }).click();
    await name.fill('Pat');
    await olga.getByRole('button', { name: 'Vote as guest' }).click();
    // The button is pressed at once; the prompt closes only once the server has answered with the session.
    await name.waitFor({ state: 'detached', timeout: 5000 });
    await olga.getByRole('button', { name: 'Upvote', pressed: true }).waitFor({ timeout: 5000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}\nthe comment shows: ${await olga.innerText()}`);
    });
    await olga.locator('.score').filter({ hasText: /^1$/ }).waitFor();
    assert.equal(await olga.getByRole('alert').count(), 0);

    await page.reload();
    await olga.getByRole('button', { name: 'Upvote', pressed: true }).waitFor();
    assert.equal(await olga.locator('.score').innerText(), '1', 'the vote is still counted after a reload');

    // The vote made Pat a guest: their own comment offers no vote buttons (nobody votes on their own).
    await page.getByRole('textbox', { name: 'Comment' }).first().fill('My own view.');
    await page.getByRole('button', { name: 'Post comment' }).first().click();
    const mine = commentBy(page, 'Pat');
    await mine.waitFor();
    assert.equal(await mine.getByRole('button', { name: 'Upvote' }).count(), 0);
    assert.equal(await mine.getByRole('button', { name: 'Downvote' }).count(), 0);
    assert.equal(await mine.locator('.score').innerText(), '0', 'its score still shows');
    await page.context().close();
  });

  it('removes a reply and the placeholders that held only it, live in every browser', async () => {
    const threadId = await siteThread('deletions');
    const writer = await openReader('deletions');
    await writer.getByRole('textbox', { name: 'Name' }).first().fill('Wren');
    await writer.getByRole('textbox', { name: 'Comment' }).first().fill('Alpha words');
    await writer.getByRole('button', { name: 'Post comment' }).first().click();
    await commentBy(writer, 'Wren').waitFor();
    const byText = (page: Page, text: string) => page.getByRole('article').filter({ hasText: text });
    for (const [parent, text] of [['Alpha words', 'Bravo words'], ['Bravo words', 'Charlie words']]) {
      await byText(writer, parent).getByRole('button', { name: 'Reply' }).click();
      await byText(writer, parent).getByRole('textbox', { name: 'Comment' }).fill(text);
      await byText(writer, parent).getByRole('button', { name: 'Post comment' }).click();
      await byText(writer, text).waitFor();
    }
    // Someone else's reply to the grandparent: it keeps the grandparent's place throughout.
    const grandparentId = await byText(writer, 'Alpha words').getAttribute('data-comment-id');
    await post(threadId, 'Xu', 'A reply that stays', grandparentId!);
    const reader = await openReader('deletions');
    await byText(reader, 'Charlie words').waitFor();
    await commentBy(reader, 'Xu').waitFor();

    for (const text of ['Alpha words', 'Bravo words']) {
      await byText(writer, text).getByRole('button', { name: 'Delete' }).click();
      await byText(writer, text).waitFor({ state: 'detached' });
    }
    for (const page of [writer, reader]) {
      await page.getByRole('article', { name: 'Deleted comment' }).nth(1).waitFor({ timeout: 5000 });
      await byText(page, 'Charlie words').waitFor();
    }

    await byText(writer, 'Charlie words').getByRole('button', { name: 'Delete' }).click();
    for (const page of [writer, reader]) {
      await byText(page, 'Charlie words').waitFor({ state: 'detached', timeout: 5000 });
      // The parent's placeholder held only the child: gone; the grandparent's still holds Xu's reply.
      await page.waitForFunction(() => document.getElementById('parley-thread')!.shadowRoot!
        .querySelectorAll('article[aria-label="Deleted comment"]').length === 1, undefined, { timeout: 5000 });
      await commentBy(page, 'Xu').waitFor();
    }
    await writer.reload();
    await commentBy(writer, 'Xu').waitFor();
    assert.equal(await writer.getByRole('article', { name: 'Deleted comment' }).count(), 1, 'a reload shows the same');
    await writer.context().close();
    await reader.context().close();
  });

  it('follows the server where a placeholder holds only replies awaiting moderation: it goes', async () => {
    await siteThread('moderated');
    const page = await openReader('moderated');
    await page.getByRole('textbox', { name: 'Name' }).first().fill('Mo');
    await page.getByRole('textbox', { name: 'Comment' }).first().fill('Published before moderation');
    await page.getByRole('button', { name: 'Post comment' }).first().click();
    const top = page.getByRole('article').filter({ hasText: 'Published before moderation' });
    await top.waitFor();
    await parley.database.pool.query(`update sites set premoderation = 'all' where slug = 'live'`);
    try {
      await top.getByRole('button', { name: 'Reply' }).click();
      await top.getByRole('textbox', { name: 'Comment' }).fill('Held for review');
      await top.getByRole('button', { name: 'Post comment' }).click();
      const held = page.getByRole('article').filter({ hasText: 'Held for review' });
      await held.getByText('Awaiting moderation').waitFor();
      await top.getByRole('button', { name: 'Delete' }).click();
      // No approved comment stands below it: the server keeps no placeholder, and the widget makes none.
      await top.waitFor({ state: 'detached', timeout: 5000 });
      assert.equal(await page.getByRole('article', { name: 'Deleted comment' }).count(), 0);
      assert.equal(await held.count(), 0, 'what hung under it goes with it, as a reload would show');
    } finally {
      await parley.database.pool.query(`update sites set premoderation = 'none' where slug = 'live'`);
      await page.context().close();
    }
  });

  it('keeps live events that arrive while "Load more" is in flight, replies to its comments included', async () => {
    const threadId = await siteThread('paging');
    for (let i = 0; i < 52; i++) await post(threadId, `Bulk ${i}`, `Bulk comment ${i}`);
    // The comment the second page starts with, as the server pages them.
    const first = await (await fetch(`${parley.url}/api/v1/threads/${threadId}/comments?sort=best`)).json() as { nextCursor: string };
    const second = await (await fetch(`${parley.url}/api/v1/threads/${threadId}/comments?sort=best&cursor=${encodeURIComponent(first.nextCursor)}`)).json() as { comments: Array<{ id: string; author: { name: string } }> };
    const later = second.comments[0];

    const page = await openReader('paging');
    await countShows(page, 52);
    assert.equal(await commentBy(page, later.author.name).count(), 0, 'it is on the second page');
    const hold = await holdPages(page, /\/comments\?.*cursor=/);
    await page.getByRole('button', { name: 'Load more comments' }).click();
    await hold.fetched;
    await post(threadId, 'Quinn', 'A reply to a comment of the page on its way', later.id);
    await post(threadId, 'Rae', 'A new comment while the page was on its way');
    await countShows(page, 54);
    hold.release();

    const parent = commentBy(page, later.author.name);
    await parent.waitFor();
    const reply = page.getByRole('list', { name: `Replies to ${later.author.name}` }).getByRole('article', { name: 'Comment by Quinn' });
    await reply.waitFor({ timeout: 5000 });
    await showNew(page);
    await commentBy(page, 'Rae').waitFor();
    await page.context().close();
  });

  it('keeps live events that arrive while a new sort order loads', async () => {
    const threadId = await siteThread('sorting');
    await post(threadId, 'Sam', 'Already there');
    const page = await openReader('sorting');
    await commentBy(page, 'Sam').waitFor();
    const hold = await holdPages(page, /\/comments\?sort=newest/);
    await page.getByRole('combobox', { name: 'Sort by' }).selectOption('newest');
    await hold.fetched;
    await post(threadId, 'Tove', 'Posted while the new order was on its way');
    await countShows(page, 2);
    hold.release();
    // Once the new order has replaced the list, the comment that came meanwhile is still in it.
    await page.locator('ul.comments[aria-busy="false"]').waitFor();
    await page.waitForTimeout(200);
    await showNew(page, 1000);
    await commentBy(page, 'Tove').waitFor({ timeout: 1000 });
    await commentBy(page, 'Sam').waitFor();
    await page.context().close();
  });

  it('never sends one site\'s session to another site\'s thread', async () => {
    const otherOrigin = 'https://other.example.org';
    await createSite(parley.deps, { slug: 'other', name: 'Another site', origins: [otherOrigin] });
    const { thread } = await resolveThread(parley.deps, visitor(otherOrigin), { site: 'other', key: 'a', url: `${otherOrigin}/a` });
    const { session } = await postComment(parley.deps, visitor(otherOrigin), { threadId: thread.id, body: 'On site A', author: { name: 'Abe' } });
    const tokenA = session!.token;

    await siteThread('tokens');
    const seeded = { parley: parley.url, token: tokenA };
    const context = await browser.newContext();
    // Site A's session under its own key, and under the key of widgets from before sessions were
    // bound to a site (which did not say for which site it was).
    await context.addInitScript(({ parley: origin, token }) => {
      if (localStorage.getItem('seeded')) return;
      localStorage.setItem('seeded', '1');
      localStorage.setItem(`parley:${origin}:token:other`, JSON.stringify(token));
      localStorage.setItem(`parley:${origin}:token`, JSON.stringify(token));
    }, seeded);
    const page = await context.newPage();
    const sent: string[] = [];
    page.on('request', (request) => {
      const auth = request.headers().authorization;
      if (request.url().includes('/api/v1/') && auth) sent.push(auth);
    });
    await page.goto(`${siteOrigin}/t/tokens`);
    await page.getByRole('textbox', { name: 'Name' }).first().fill('Bo');
    await page.getByRole('textbox', { name: 'Comment' }).first().fill('On site B');
    await page.getByRole('button', { name: 'Post comment' }).first().click();
    await commentBy(page, 'Bo').waitFor();
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/chunks/live-')));
    await page.waitForTimeout(300);
    assert.ok(!sent.includes(`Bearer ${tokenA}`), 'site A\'s token went to site B');
    for (const socket of parley.io.sockets.sockets.values()) {
      assert.notEqual((socket.handshake.auth as { token?: string }).token, tokenA, 'site A\'s token went to site B\'s live updates');
    }

    // Site B's own guest session is kept beside A's, and from then on used for B.
    const stored = await page.evaluate((origin) => ({
      a: localStorage.getItem(`parley:${origin}:token:other`),
      b: localStorage.getItem(`parley:${origin}:token:live`),
    }), parley.url);
    assert.equal(stored.a, JSON.stringify(tokenA));
    assert.ok(stored.b && stored.b !== stored.a);
    await page.reload();
    await commentBy(page, 'Bo').getByRole('button', { name: 'Edit' }).waitFor();
    assert.ok(sent.includes(`Bearer ${JSON.parse(stored.b)}`), 'B\'s session goes to B');
    assert.ok(!sent.includes(`Bearer ${tokenA}`));
    await context.close();
  });
});
