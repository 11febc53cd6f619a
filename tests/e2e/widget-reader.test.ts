/**
 * What a reader of a long, busy thread notices, in a real Chromium: the interface in their
 * language (Arabic mirrored), collapsing and permalinks, new comments that never push the page,
 * who is reading, the edit window, rate limits and drafts, single-page sites.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningParley } from '../../src/server/runtime.js';
import type { Caller } from '../../src/server/deps.js';
import { postComment } from '../../src/server/comments/service.js';
import { resolveThread } from '../../src/server/threads/service.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';
import { articlePage, startCustomPages, type CustomPages } from '../helpers/custom-pages.js';

const skip = browserSkipReason();
const require = createRequire(import.meta.url);
const axeSource = readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');
const SITE = 'reader';
let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;
let pages: CustomPages;

before(async () => {
  if (skip) return;
  run = await startDemoWithBrowser();
  ({ parley, browser } = run);
  pages = await startCustomPages(parley, { slug: SITE, name: 'Reader' });
});
after(async () => {
  pages?.close();
  await run?.stop();
});

let visitors = 0;
/** A visitor of the site's pages, each from an address of their own so no rate limit is shared. */
function visitor(): Caller {
  visitors++;
  return { actor: null, origin: pages.origin, ip: `10.9.${Math.floor(visitors / 250)}.${(visitors % 250) + 1}` };
}

async function siteThread(key: string): Promise<string> {
  const { thread } = await resolveThread(parley.deps, visitor(), { site: SITE, key, url: `${pages.origin}/${key}`, title: key });
  return thread.id;
}

async function post(threadId: string, name: string, body: string, parentId?: string): Promise<string> {
  return (await postComment(parley.deps, visitor(), { threadId, body, author: { name }, parentId })).comment.id;
}

/** A reader with a browser profile of their own on `url`, once the thread shows. */
async function open(url: string, options: { colorScheme?: 'light' | 'dark'; javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(url);
  return page;
}

const shadow = <T>(page: Page, fn: (root: ShadowRoot) => T) =>
  page.evaluate(`(${fn.toString()})(document.getElementById('parley-thread').shadowRoot)`) as Promise<T>;

async function assertAccessible(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const results = await axe.run({ include: [['#parley-thread']] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
  assert.deepEqual(violations, [], `serious or critical axe violations ${state}`);
}

/** Resolves once the widget's live connection has joined the thread's room. */
async function live(page: Page): Promise<void> {
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/chunks/live-')));
  await page.waitForTimeout(400);
}

const commentBy = (page: Page, name: string) => page.getByRole('article', { name: `Comment by ${name}`, exact: true });

describe('the widget as a reader of a long thread finds it, in Chromium', { skip, timeout: 180_000 }, () => {
  it('never pushes the page: others\' new comments wait behind "N new comments", replies slot in highlighted', async () => {
    const key = 'busy';
    const threadId = await siteThread(key);
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(await post(threadId, `Early ${i}`, `Comment number ${i}, long enough to take a line or two of the page.`));
    const page = await open(pages.serve(`/${key}`, articlePage(parley, { site: SITE, key })));
    try {
      await commentBy(page, 'Early 0').waitFor();
      await live(page);
      // The reader has scrolled down to the oldest comments (best: newest first at equal score).
      await commentBy(page, 'Early 0').scrollIntoViewIfNeeded();
      // Comments far from the viewport are laid out only as they come near it (content-visibility):
      // a reader who has been reading a while has a settled page; wait until this one is too.
      await page.evaluate('new Promise((resolve) => { let frames = 0; const tick = () => (++frames >= 10 ? resolve(null) : requestAnimationFrame(tick)); requestAnimationFrame(tick); })');
      await page.waitForTimeout(300);
      const before = await commentBy(page, 'Early 0').boundingBox();
      const scrolled = await page.evaluate(() => window.scrollY);

      await post(threadId, 'Newcomer', 'A brand new comment at the top.');
      const button = page.getByRole('button', { name: '1 new comment' });
      await button.waitFor({ timeout: 5000 });
      assert.equal(await page.getByRole('status').filter({ hasText: '1 new comment' }).count(), 1, 'announced politely');
      assert.equal(await commentBy(page, 'Newcomer').count(), 0, 'not shown until asked for');
      assert.equal(await page.evaluate(() => window.scrollY), scrolled, 'the page did not move');
      assert.deepEqual(await commentBy(page, 'Early 0').boundingBox(), before, 'what the reader reads stayed where it was');
      assert.ok(await button.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }), 'the button is in view');
      await page.getByRole('heading', { level: 2, name: '26 Comments' }).waitFor();

      // A reply under a comment the reader sees slots in where it belongs, highlighted.
      await post(threadId, 'Replier', 'Answering the oldest one.', ids[0]);
      const reply = commentBy(page, 'Replier');
      await reply.waitFor({ timeout: 5000 });
      assert.match(await reply.getAttribute('class') ?? '', /\bfresh\b/);

      await post(threadId, 'Second', 'Another new one.');
      await page.getByRole('button', { name: '2 new comments' }).click();
      await commentBy(page, 'Second').waitFor();
      await commentBy(page, 'Newcomer').waitFor();
      assert.equal(await shadow(page, (root) => root.activeElement?.getAttribute('aria-label')), 'Comment by Second', 'focus goes to the newest');
      assert.equal(await page.getByRole('button', { name: /new comment/ }).count(), 0);
    } finally {
      await page.context().close();
    }
  });

  it('folds a comment with its replies (remembered), clips a tall one behind "Show more", and keeps deep replies readable', async () => {
    const key = 'long';
    const threadId = await siteThread(key);
    const top = await post(threadId, 'Root', 'A comment with a long discussion under it.');
    let parent = top;
    for (let depth = 1; depth <= 10; depth++) parent = await post(threadId, `Depth ${depth}`, `At depth ${depth}.`, parent);
    await post(threadId, 'Essayist', Array.from({ length: 40 }, (_, i) => `Paragraph ${i + 1} of a very long comment.`).join('\n\n'));
    const url = pages.serve(`/${key}`, articlePage(parley, { site: SITE, key }));
    const page = await open(url);
    try {
      // Past the display depth each reply names whom it answers; past depth 8 the branch opens on its own.
      const five = commentBy(page, 'Depth 5');
      await five.waitFor();
      assert.equal(await commentBy(page, 'Depth 4').getByRole('link', { name: /in reply to/ }).count(), 0);
      await five.getByRole('link', { name: 'in reply to Depth 4' }).waitFor();
      assert.equal(await commentBy(page, 'Depth 9').count(), 0, 'depth 9 is beyond what the thread shows inline');
      await page.getByRole('link', { name: 'Continue this thread' }).click();
      await commentBy(page, 'Depth 10').waitFor();
      assert.equal(await commentBy(page, 'Root').count(), 0, 'the branch alone');
      await page.getByRole('button', { name: 'Back to the whole thread' }).click();
      await commentBy(page, 'Root').waitFor();

      // Tall comments are clipped at about 25 lines.
      const essay = commentBy(page, 'Essayist');
      const body = essay.locator('.body');
      const clipped = (await body.boundingBox())!.height;
      assert.ok(clipped < 700, `clipped to about 25 lines: ${clipped}px`);
      await essay.getByRole('button', { name: 'Show more' }).click();
      assert.ok((await body.boundingBox())!.height > clipped * 1.3, 'all of it once asked for');
      await essay.getByRole('button', { name: 'Show less' }).waitFor();

      const root = commentBy(page, 'Root');
      await root.getByRole('button', { name: 'Collapse' }).click();
      await root.getByText('10 replies hidden').waitFor();
      assert.equal(await commentBy(page, 'Depth 1').count(), 0, 'its replies are folded away');
      assert.equal(await root.getByText('A comment with a long discussion').isVisible(), false, 'and its text');
      await page.reload();
      await root.getByText('10 replies hidden').waitFor();
      assert.equal(await root.getByRole('button', { name: 'Expand' }).getAttribute('aria-expanded'), 'false');
      await root.getByRole('button', { name: 'Expand' }).click();
      await commentBy(page, 'Depth 1').waitFor();
    } finally {
      await page.context().close();
    }
  });

  it('opens a permalink to a reply on page 3 inside a folded comment: loads, unfolds, scrolls to and highlights it; "Copy link" copies it', async () => {
    const key = 'permalinks';
    const threadId = await siteThread(key);
    const oldest = await post(threadId, 'Very first', 'The oldest comment, on the last page.');
    const target = await post(threadId, 'Target', 'The reply a link points at.', oldest);
    for (let i = 0; i < 110; i++) await post(threadId, `Later ${i}`, `Later comment ${i}.`);
    const url = pages.serve(`/${key}`, articlePage(parley, { site: SITE, key }));
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: pages.origin });
    // The reader had folded the comment away on an earlier visit.
    await context.addInitScript(([origin, thread, id]) => {
      localStorage.setItem(`parley:${origin}:collapsed:${thread}`, JSON.stringify([id]));
    }, [parley.url, threadId, oldest]);
    const page = await context.newPage();
    try {
      await page.goto(`${url}#comment-${target}`);
      const reply = commentBy(page, 'Target');
      await reply.waitFor({ timeout: 5000 });
      assert.equal(await page.getByRole('button', { name: 'Load more comments' }).count(), 1, 'pages 2 and 3 were not all loaded');
      await page.waitForFunction(() => {
        const root = document.getElementById('parley-thread')!.shadowRoot!;
        const article = [...root.querySelectorAll('article')].find((a) => a.getAttribute('aria-label') === 'Comment by Target')!;
        const box = article.getBoundingClientRect();
        return root.activeElement === article && box.top >= 0 && box.bottom <= innerHeight;
      }, undefined, { timeout: 3000 });
      assert.match(await reply.getAttribute('class') ?? '', /\btarget\b/);

      await reply.getByRole('button', { name: 'Copy link' }).click();
      await reply.getByText('Link copied').first().waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${url}#comment-${target}`);

      // A link within the page (the time) goes there too.
      await commentBy(page, 'Later 100').getByRole('link').first().click();
      await page.waitForFunction(() => document.getElementById('parley-thread')!.shadowRoot!.activeElement?.getAttribute('aria-label') === 'Comment by Later 100');
    } finally {
      await context.close();
    }
  });

  it('says how many read the thread now, how long an edit stays open, and when to try again after posting too fast, keeping the draft', async () => {
    const key = 'presence';
    await siteThread(key);
    const url = pages.serve(`/${key}`, articlePage(parley, { site: SITE, key }));
    const first = await open(url);
    const second = await open(url);
    try {
      await first.getByText('2 reading now').waitFor({ timeout: 5000 });
      await second.getByText('2 reading now').waitFor({ timeout: 5000 });
      await second.goto('about:blank');
      await second.context().close();
      await first.getByText(/reading now/).waitFor({ state: 'detached', timeout: 8000 });

      await first.getByRole('textbox', { name: 'Name' }).first().fill('Edith');
      await first.getByRole('textbox', { name: 'Comment' }).first().fill('Mine to edit for a while.');
      await first.getByRole('button', { name: 'Post comment' }).first().click();
      const mine = commentBy(first, 'Edith');
      await mine.getByRole('button', { name: 'Edit (15 min left)' }).waitFor();
      assert.equal(await mine.getByRole('button', { name: 'Upvote' }).count(), 0, 'the score without vote buttons on one\'s own comment');
      await mine.locator('.score').waitFor();

      // Too fast: the server's Retry-After is said, and what was typed stays, across a reload too.
      await first.route(/\/api\/v1\/threads\/[^/]+\/comments$/, (route) => route.request().method() === 'POST'
        ? route.fulfill({ status: 429, headers: { 'retry-after': '42', 'content-type': 'application/json', 'access-control-allow-origin': pages.origin, 'access-control-expose-headers': 'Retry-After' }, body: JSON.stringify({ error: { code: 'rate_limited', message: 'Too many requests' } }) })
        : route.continue());
      const box = first.getByRole('textbox', { name: 'Comment' }).first();
      await box.fill('A second thought, typed with care.');
      await first.getByRole('button', { name: 'Post comment' }).first().click();
      await first.getByRole('alert').filter({ hasText: 'you can post again in 42 sec' }).waitFor();
      assert.equal(await box.inputValue(), 'A second thought, typed with care.');
      await first.reload();
      await first.getByRole('button', { name: 'Post comment' }).first().waitFor();
      assert.equal(await first.getByRole('textbox', { name: 'Comment' }).first().inputValue(), 'A second thought, typed with care.', 'the draft outlives a reload');
    } finally {
      await first.context().close();
    }
  });

  it('follows a single-page site: DISQUS.reset({reload, config}), DISQUSWIDGETS.getCount({reset}) and Parley.reset({key, url, title})', async () => {
    for (const key of ['spa-a', 'spa-b', 'spa-c']) await post(await siteThread(key), `Author of ${key}`, `A comment on ${key}.`);
    await post(await siteThread('spa-b'), 'Second on b', 'Another comment on spa-b.');
    const url = pages.serve('/spa', `<!doctype html><html lang="en"><head><title>SPA</title></head><body>
      <nav><a id="count" href="${pages.origin}/spa-a#disqus_thread">Comments</a></nav>
      <div id="disqus_thread"></div>
      <script>var disqus_config = function () { this.page.identifier = 'spa-a'; this.page.url = '${pages.origin}/spa-a'; };</script>
      <script async src="${parley.url}/embed.js"></script>
      <script async src="${parley.url}/count.js" data-site="${SITE}"></script></body></html>`);
    const page = await open(url);
    try {
      await commentBy(page, 'Author of spa-a').waitFor();
      await page.waitForFunction(() => document.getElementById('count')?.textContent === '1 Comment');
      // The app routes to another article: Disqus's documented calls.
      // (A script as the page's own code would be: no helpers of the test's compiler in it.)
      await page.evaluate(`
        history.pushState({}, '', '/spa-b');
        const link = document.getElementById('count');
        link.href = '${pages.origin}/spa-b#disqus_thread';
        link.textContent = 'Comments';
        DISQUS.reset({ reload: true, config: function () { this.page.identifier = 'spa-b'; this.page.url = '${pages.origin}/spa-b'; this.page.title = 'B'; } });
        DISQUSWIDGETS.getCount({ reset: true });
      `);
      await commentBy(page, 'Author of spa-b').waitFor();
      assert.equal(await commentBy(page, 'Author of spa-a').count(), 0);
      await page.waitForFunction(() => document.getElementById('count')?.textContent === '2 Comments');

      await page.evaluate((origin) => (window as unknown as { Parley: { reset(o: unknown): void } }).Parley.reset({ key: 'spa-c', url: `${origin}/spa-c`, title: 'C' }), pages.origin);
      await commentBy(page, 'Author of spa-c').waitFor();
      assert.equal(await commentBy(page, 'Author of spa-b').count(), 0);
      assert.equal(await page.getByRole('textbox', { name: 'Comment' }).count(), 1, 'one widget, not two');
    } finally {
      await page.context().close();
    }
  });

  it('gives every control at least 44 by 44 pixels on a touch screen', async () => {
    const key = 'touch';
    const threadId = await siteThread(key);
    await post(threadId, 'Tapped', 'Vote on me with a finger.');
    const context = await browser.newContext({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    try {
      await page.goto(pages.serve(`/${key}`, articlePage(parley, { site: SITE, key, head: '<meta name="viewport" content="width=device-width">' })));
      await commentBy(page, 'Tapped').getByRole('button', { name: 'Upvote' }).waitFor();
      const small = await shadow(page, (root) => [...root.querySelectorAll('button, select, a')]
        // Links inside a comment's text are inline text (WCAG 2.5.5 exempts them).
        .filter((el) => (el as HTMLElement).offsetParent !== null && !el.closest('.hp') && !el.closest('.body'))
        .map((el) => ({ name: el.getAttribute('aria-label') ?? el.textContent?.trim(), box: el.getBoundingClientRect() }))
        .filter(({ box }) => box.width < 44 || box.height < 44)
        .map(({ name, box }) => `${name}: ${Math.round(box.width)}x${Math.round(box.height)}`));
      assert.deepEqual(small, []);
    } finally {
      await context.close();
    }
  });

  it('lets a reader with JavaScript off read and post, through the container\'s <noscript> link to Parley\'s plain page', async () => {
    const key = 'no-script';
    const threadId = await siteThread(key);
    await post(threadId, 'Scripted', 'Written with the widget.');
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(pages.serve(`/${key}`, articlePage(parley, { site: SITE, key })));
      await page.getByRole('link', { name: 'Read and post comments without JavaScript' }).click();
      await page.getByRole('article', { name: 'Comment by Scripted' }).waitFor();
      await page.getByRole('textbox', { name: 'Name' }).fill('Tor Reader');
      await page.getByRole('textbox', { name: 'Comment' }).fill('Posted with **no** script <script>alert(1)</script>');
      await page.getByRole('button', { name: 'Post comment' }).click();
      await page.getByRole('status').filter({ hasText: 'Your comment is published.' }).waitFor();
      const mine = page.getByRole('article', { name: 'Comment by Tor Reader' });
      assert.match(await mine.innerHTML(), /<strong>no<\/strong> script &lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the same sanitizer as the widget');

      await page.getByRole('article', { name: 'Comment by Scripted' }).getByRole('link', { name: 'Reply' }).click();
      await page.getByRole('heading', { name: 'Reply to Scripted' }).waitFor();
      await page.getByRole('textbox', { name: 'Name' }).fill('Tor Reader');
      await page.getByRole('textbox', { name: 'Comment' }).fill('And a reply, still without script.');
      await page.getByRole('button', { name: 'Post comment' }).click();
      await page.getByRole('list', { name: 'Replies to Scripted' }).getByRole('article', { name: 'Comment by Tor Reader' }).waitFor();

      // A refusal says why on the same page and keeps the text.
      await page.getByRole('textbox', { name: 'Name' }).fill('Tor Reader');
      await page.getByRole('textbox', { name: 'Comment' }).fill('   ');
      await page.getByRole('button', { name: 'Post comment' }).click();
      await page.getByRole('alert').waitFor();
      // The widget's readers see both comments.
      const reader = await open(pages.serve(`/${key}-js`, articlePage(parley, { site: SITE, key })));
      await commentBy(reader, 'Tor Reader').first().waitFor();
      assert.equal(await commentBy(reader, 'Tor Reader').count(), 2);
      await reader.context().close();

      // Only Parley's own form posts: no token, or another origin, is refused and writes nothing.
      const forged = await page.request.post(`${parley.url}/discuss/${SITE}?key=${key}`, { form: { name: 'Forger', body: 'Forged' } });
      assert.equal(forged.status(), 403);
      const foreign = await page.request.post(`${parley.url}/discuss/${SITE}?key=${key}`, { form: { name: 'Forger', body: 'Forged' }, headers: { origin: 'https://evil.example' } });
      assert.equal(foreign.status(), 403);

      const demo = await context.newPage();
      await demo.goto(`${parley.url}/`);
      await demo.getByRole('link', { name: 'Read and post comments without JavaScript' }).click();
      await demo.getByRole('article', { name: 'Comment by Mariam K.' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('speaks the page\'s language: Arabic mirrored right to left, French from data-lang, each loading only its own strings', async () => {
    const key = 'languages';
    const threadId = await siteThread(key);
    const first = await post(threadId, 'Mariam', 'First comment.');
    await post(threadId, 'Omar', 'A reply under it.', first);
    await post(threadId, 'Lina', 'Second comment.');

    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await open(pages.serve(`/ar-${colorScheme}`, articlePage(parley, { site: SITE, key, lang: 'ar',
        head: colorScheme === 'dark' ? '<style>body{background:#111;color:#eee}</style>' : '' })), { colorScheme });
      try {
        await page.getByRole('button', { name: 'نشر التعليق' }).waitFor();
        assert.equal(await page.getByRole('heading', { level: 2 }).innerText(), '3 تعليقات', 'the count in Arabic (plural rule "few")');
        await page.getByRole('article', { name: 'تعليق من Omar' }).waitFor();
        const layout = await shadow(page, (root) => {
          const container = root.querySelector('.parley') as HTMLElement;
          const replies = root.querySelector('.replies') as HTMLElement;
          const meta = root.querySelector('article .meta') as HTMLElement;
          const avatar = meta.querySelector('.avatar')!.getBoundingClientRect();
          const author = meta.querySelector('.author')!.getBoundingClientRect();
          const style = getComputedStyle(replies);
          return { dir: container.dir, lang: container.lang, ruleRight: style.borderRightWidth, ruleLeft: style.borderLeftWidth, avatarRightOfName: avatar.left > author.left };
        });
        assert.deepEqual(layout, { dir: 'rtl', lang: 'ar', ruleRight: '2px', ruleLeft: '0px', avatarRightOfName: true }, 'indentation, reply rules and controls mirror');
        await assertAccessible(page, `in Arabic, ${colorScheme}`);
        const scripts = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).filter((p) => p.startsWith('/widget')));
        assert.deepEqual(scripts, ['/widget.ar.js'], 'only the Arabic widget is downloaded');
      } finally {
        await page.context().close();
      }
    }

    const page = await open(pages.serve('/fr', articlePage(parley, { site: SITE, key, attrs: 'data-lang="fr-CA"' })));
    try {
      await page.getByRole('button', { name: 'Publier le commentaire' }).waitFor();
      assert.equal(await page.getByRole('heading', { level: 2 }).innerText(), '3 commentaires');
      await page.getByRole('article', { name: 'Commentaire de Lina' }).getByRole('button', { name: 'Répondre' }).waitFor();
      assert.equal(await shadow(page, (root) => (root.querySelector('.parley') as HTMLElement).dir), 'ltr');
    } finally {
      await page.context().close();
    }
  });
});
