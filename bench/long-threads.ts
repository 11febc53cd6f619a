/**
 * Long threads in headless Chromium, for `npm run bench:paint`: how soon a 500-comment thread is
 * on screen once the widget's script has arrived, and how smoothly a 10,000-comment thread
 * scrolls with every page of it loaded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import type { RunningParley } from '../src/server/runtime.js';
import { createSite } from '../src/server/sites/service.js';
import { resolveThread } from '../src/server/threads/service.js';

const SITE = 'paint';

/** A thread of `roots` top-level comments with `replies` replies each, written straight to the database. */
async function seed(parley: RunningParley, origin: string, key: string, roots: number, replies: number): Promise<void> {
  const { thread, site } = await resolveThread(parley.deps, { actor: null, origin, ip: '127.0.0.1' }, { site: SITE, key, url: `${origin}/${key}` });
  const body = 'A comment of a few lines, as readers write them: *some* emphasis, a [link](https://example.org) and `code`.';
  const html = '<p>A comment of a few lines, as readers write them: <em>some</em> emphasis, a <a href="https://example.org" rel="nofollow noopener" target="_blank">link</a> and <code>code</code>.</p>';
  await parley.database.pool.query(`
    with roots as (
      insert into comments (site_id, thread_id, parent_id, root_id, depth, author_name, body_source, body_html, status, created_at)
      select $1, $2, null, gen_random_uuid(), 0, 'Reader ' || (i % 97), $3, $4, 'approved', now() - make_interval(secs => i * 60)
      from generate_series(1, $5::int) i returning id)
    update comments set root_id = id where id in (select id from roots)`, [site.id, thread.id, body, html, roots]);
  await parley.database.pool.query(`
    insert into comments (site_id, thread_id, parent_id, root_id, depth, author_name, body_source, body_html, status, created_at)
    select c.site_id, c.thread_id, c.id, c.id, 1, 'Replier ' || (r % 89), $2, $3, 'approved', c.created_at + make_interval(secs => r)
    from comments c, generate_series(1, $4::int) r where c.thread_id = $1 and c.parent_id is null`, [thread.id, body, html, replies]);
  await parley.database.pool.query('update threads set comment_count = (select count(*) from comments where thread_id = $1) where id = $1', [thread.id]);
  parley.deps.events.emit('site.changed', { siteId: site.id });
}

async function hostPages(parley: RunningParley): Promise<{ origin: string; close(): void }> {
  const server = http.createServer((req, res) => {
    const key = (req.url ?? '').slice(1).replace(/[^\w-]/g, '');
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><html lang="en"><head><title>${key}</title><link rel="icon" href="data:,"></head><body>
      <h1>${key}</h1><div id="parley-thread" data-site="${SITE}" data-key="${key}"></div>
      <script async src="${parley.url}/embed.js"></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await createSite(parley.deps, { slug: SITE, name: 'Paint', origins: [origin] });
  return { origin, close: () => server.close() };
}

/** ms from widget.js having arrived to the first comment on screen, and from navigation. */
async function paint(page: Page, url: string): Promise<{ afterScript: number; total: number; comments: number }> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => document.getElementById('parley-thread')?.shadowRoot?.querySelector('article'), undefined, { polling: 'raf', timeout: 30_000 });
  return page.evaluate(() => {
    const shown = performance.now();
    const widget = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((r) => /\/widget(\.\w+)?\.js$/.test(new URL(r.name).pathname))!;
    const comments = document.getElementById('parley-thread')!.shadowRoot!.querySelectorAll('article').length;
    return { afterScript: shown - widget.responseEnd, total: shown, comments };
  });
}

/** Scrolls the whole page down, 120 px a frame, and returns the frames' durations. */
async function scrollFrames(page: Page): Promise<number[]> {
  // A string, as a page's own script: the compiler's helpers must not leak into the page.
  return page.evaluate(`new Promise((resolve) => {
    const frames = [];
    let last = performance.now();
    function step(now) {
      frames.push(now - last);
      last = now;
      window.scrollBy(0, 120);
      if (window.scrollY + innerHeight >= document.documentElement.scrollHeight - 2 || frames.length > 1500) resolve(frames.slice(1));
      else requestAnimationFrame(step);
    }
    requestAnimationFrame(step);
  })`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

export async function benchLongThreads(parley: RunningParley, browser: Browser, runs: number): Promise<void> {
  const host = await hostPages(parley);
  try {
    await seed(parley, host.origin, 'c500', 50, 9);
    await seed(parley, host.origin, 'c10000', 100, 99);
    const context = await browser.newContext();
    const page = await context.newPage();
    await paint(page, `${host.origin}/c500`);
    const warm = [];
    for (let i = 0; i < runs; i++) warm.push(await paint(page, `${host.origin}/c500`));
    console.log(`\n500-comment thread (50 top-level, 450 replies, all on the first page), ${runs} runs, warm cache:`);
    console.log(`  median ${median(warm.map((p) => p.afterScript)).toFixed(0)} ms from widget.js arrived to the first comment on screen (${warm[0].comments} comments drawn), ${median(warm.map((p) => p.total)).toFixed(0)} ms from navigation`);

    await paint(page, `${host.origin}/c10000`);
    // By CSS: finding a control by role walks the accessibility tree of 5,000 comments.
    const more = page.locator('#parley-thread button.more');
    // Clicked where it is: as comments near the viewport get their real sizes, the page keeps settling.
    await more.dispatchEvent('click');
    await more.waitFor({ state: 'detached', timeout: 60_000 });
    const drawn = await page.evaluate(() => document.getElementById('parley-thread')!.shadowRoot!.querySelectorAll('article').length);
    await page.evaluate(() => window.scrollTo(0, 0));
    const frames = await scrollFrames(page);
    const long = frames.filter((ms) => ms > 50).length;
    console.log(`10,000-comment thread (100 top-level with 99 replies each), both pages loaded: ${drawn} comments in the page`);
    console.log(`  scrolled down at 120 px a frame (the first 1,500 frames): ${frames.length} frames, median ${median(frames).toFixed(1)} ms, p95 ${percentile(frames, 0.95).toFixed(1)} ms, ${long} frames over 50 ms`);
    await context.close();
  } finally {
    host.close();
  }
}
