import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningParley } from '../../src/server/runtime.js';
import { createSite } from '../../src/server/sites/service.js';
import { importComments } from '../../src/server/imports/service.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';

const skip = browserSkipReason();
let parley: RunningParley;
let browser: Browser;
let run: DemoRun | undefined;
let host: http.Server;
let origin: string;

/**
 * A blog that left Disqus: its pages keep the snippet Disqus gave them, unchanged but for the
 * script's address; one page names its thread by identifier, the other only by its URL.
 */
function blogPage(path: string): string {
  const config = path === '/2019/identified'
    ? `this.page.url = '${origin}${path}'; this.page.identifier = 'post-77';`
    : `this.page.url = '${origin}${path}';`;
  return `<!doctype html><html lang="en"><head><title>Blog</title><link rel="icon" href="data:,"></head><body><article><h1>An analysis</h1></article>
    <div id="disqus_thread"></div>
    <script>
      var disqus_config = function () { ${config} };
      (function () { var d = document, s = d.createElement('script'); s.src = '${parley.url}/embed.js'; s.setAttribute('data-timestamp', +new Date()); (d.head || d.body).appendChild(s); })();
    </script>
    <noscript>Please enable JavaScript to view the comments.</noscript></body></html>`;
}

/** The export as Disqus wrote it when the blog lived on its old domain over http. */
function disqusExport(): string {
  const post = (id: number, thread: number, name: string, message: string, extra = '', parent?: number) =>
    `<post dsq:id="${id}"><id/><message><![CDATA[${message}]]></message><createdAt>2018-0${thread}-0${(id % 9) + 1}T10:00:0${id % 10}Z</createdAt>`
    + `<isDeleted>${extra.includes('deleted')}</isDeleted><isSpam>${extra.includes('spam')}</isSpam>`
    + `<author><email>${name.toLowerCase()}@mail.example</email><name>${name}</name><isAnonymous>false</isAnonymous></author>`
    + `<ipAddress>198.51.100.${id}</ipAddress><thread dsq:id="${thread}"/>${parent ? `<parent dsq:id="${parent}"/>` : ''}</post>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="1"><id>post-77</id><link>http://old-blog.example/2019/identified</link><title>Identified &amp;#8217;post</title><createdAt>2018-01-01T00:00:00Z</createdAt><isClosed>false</isClosed><isDeleted>false</isDeleted></thread>
<thread dsq:id="2"><id></id><link>http://old-blog.example/2019/by-url/</link><title>By URL</title><createdAt>2018-02-01T00:00:00Z</createdAt><isClosed>false</isClosed><isDeleted>false</isDeleted></thread>
${post(11, 1, 'Amina', '<p>The funding analysis holds up.</p>')}
${post(12, 1, 'Boris', '<p>Agreed, with <a href="https://example.org/src">a source</a>.</p>', '', 11)}
${post(13, 1, 'Gone', '<p>Removed by its author</p>', 'deleted')}
${post(14, 1, 'Chen', '<p>Answering the removed one.</p>', '', 13)}
${post(15, 1, 'Spammer', '<p>Cheap pills here</p>', 'spam')}
${post(21, 2, 'Dalia', '<p>Found by its address alone.</p>')}
</disqus>`;
}

before(async () => {
  if (skip) return;
  run = await startDemoWithBrowser();
  ({ parley, browser } = run);
  host = http.createServer((req, res) => { res.setHeader('content-type', 'text/html'); res.end(blogPage(req.url ?? '/')); });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  await createSite(parley.deps, { slug: 'old-blog', name: 'Old blog', origins: [origin] });
  const report = await importComments(parley.deps, {
    format: 'disqus', siteSlug: 'old-blog', open: () => Readable.from([Buffer.from(disqusExport())]),
    mapUrl: [{ from: 'http://old-blog.example/', to: `${origin}/` }],
  });
  assert.equal(report.totals.imported, 5);
});
after(async () => { host?.close(); await run?.stop(); });

const comment = (page: Page, author: string) => page.getByRole('article', { name: `Comment by ${author}` });

describe('an imported Disqus thread under the unchanged Disqus snippet', { skip, timeout: 90_000 }, () => {
  it('shows the thread found by identifier, its tree, the placeholder, and not the spam', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${origin}/2019/identified`);
    await comment(page, 'Amina').waitFor();
    await page.getByRole('list', { name: 'Replies to Amina' }).getByRole('article', { name: 'Comment by Boris' }).waitFor();
    await comment(page, 'Boris').getByRole('link', { name: 'a source' }).waitFor();
    await page.getByRole('article', { name: 'Deleted comment' }).waitFor();
    await page.getByRole('list', { name: 'Replies to [deleted]' }).getByRole('article', { name: 'Comment by Chen' }).waitFor();
    assert.equal(await page.getByText('Removed by its author').count(), 0, 'the deleted text is not shown');
    assert.equal(await page.getByText('Cheap pills here').count(), 0, 'spam stays hidden');
    assert.equal(await comment(page, 'Spammer').count(), 0);
    assert.equal(await page.getByRole('article', { name: /^Comment by / }).count(), 3);
  });

  it('finds the thread of a page that gives only its URL, through the mapped old address', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${origin}/2019/by-url`);
    await comment(page, 'Dalia').waitFor();
    await page.getByText('Found by its address alone.').waitFor();
  });
});
