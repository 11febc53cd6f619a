/**
 * The widget's notifications in a real Chromium: a signed-in reader's "Replies to you" count
 * rises live when someone answers them (their own socket room), lists the reply and marks it
 * read; "Follow this discussion" follows; the thread's Atom feed is linked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccount } from '../../src/server/auth/accounts.js';
import { createSession } from '../../src/server/auth/service.js';
import { getSiteBySlug } from '../../src/server/sites/service.js';
import { DEMO_SITE } from '../../src/server/demo/page.js';
import { browserSkipReason } from '../helpers/browser.js';
import { startDemoWithBrowser, type DemoRun } from '../helpers/demo.js';

const skip = browserSkipReason();
let run: DemoRun | undefined;

before(async () => { if (!skip) run = await startDemoWithBrowser(); });
after(async () => { await run?.stop(); });

describe('notifications in the widget', { skip, timeout: 120_000 }, () => {
  it('shows a reader\'s replies live, lists and marks them read, follows the thread, links its feed', async () => {
    const { parley, browser } = run!;
    const site = await getSiteBySlug(parley.deps, DEMO_SITE);
    const reader = await createAccount(parley.deps, { email: 'notices@example.org', displayName: 'Nour', verified: true });
    const { token } = await createSession(parley.deps.db, { userId: reader.id, siteId: site.id, scope: 'embed', now: new Date(), days: 1 });
    const origin = site.allowedOrigins.find((o) => o.includes('127.0.0.1')) ?? site.allowedOrigins[0];
    const call = async (path: string, body: unknown, as?: string) => {
      const res = await fetch(`${parley.url}/api/v1${path}`, {
        method: 'POST', headers: { 'content-type': 'application/json', origin, ...(as ? { authorization: `Bearer ${as}` } : {}) }, body: JSON.stringify(body),
      });
      assert.ok(res.ok, await res.clone().text());
      return res.json() as Promise<{ comment: { id: string } }>;
    };
    const thread = await (await fetch(`${parley.url}/api/v1/threads?site=${DEMO_SITE}&key=aqim-funding-sources`)).json() as { thread: { id: string } };
    const parent = await call(`/threads/${thread.thread.id}/comments`, { body: 'Nour asks a question' }, token);

    const context = await browser.newContext();
    // The reader signed in before: their token is in the page's storage, as the widget keeps it.
    await context.addInitScript(([key, value]) => localStorage.setItem(key, value), [`parley:${parley.url}:token:${DEMO_SITE}`, JSON.stringify(token)]);
    const page = await context.newPage();
    await page.goto(`${parley.url}/`);
    const replies = page.getByRole('button', { name: /^Replies to you/ });
    await replies.waitFor();
    assert.equal(await replies.innerText(), 'Replies to you');

    await call(`/threads/${thread.thread.id}/comments`, { body: 'An answer for Nour', parentId: parent.comment.id, author: { name: 'Helper' } });
    await page.getByRole('button', { name: 'Replies to you (1 new)' }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Replies to you (1 new)' }).click();
    await page.getByRole('link', { name: 'Helper replied' }).waitFor();
    await page.getByRole('button', { name: 'Replies to you', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Follow this discussion' }).click();
    const stop = page.getByRole('button', { name: 'Stop following' });
    await stop.waitFor();
    assert.equal(await stop.getAttribute('aria-pressed'), 'true');
    assert.equal(await page.getByRole('link', { name: 'Atom feed' }).getAttribute('href'), `${parley.url}/feeds/threads/${thread.thread.id}/atom.xml`);
    const feed = await fetch(`${parley.url}/feeds/threads/${thread.thread.id}/atom.xml`);
    assert.match(await feed.text(), /An answer for Nour/);
    await context.close();
  });
});
