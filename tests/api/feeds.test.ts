/** Atom feeds of a thread's and a site's newest comments: published ones only, escaped, linked to each comment. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { comments } from '../../src/server/db/schema.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
before(async () => { app = await startTestApp(); });
after(async () => { await app.close(); });

async function comment(threadId: string, body: string, name = 'Feeder') {
  const res = await api(app, 'POST', `/api/v1/threads/${threadId}/comments`, { headers: { origin: SITE_ORIGIN }, body: { body, author: { name }, composeMs: 10_000 } });
  assert.equal(res.status, 201, res.text);
  return res.json.comment as { id: string };
}

test('a thread\'s feed holds its published comments, newest first, escaped, each linking to its comment', async () => {
  const thread = await openThread(app, 'feed-1');
  const first = await comment(thread.id, 'First & <b>bold</b> <script>alert(1)</script>', 'Ann <O\'Brien>');
  const second = await comment(thread.id, 'Second comment');
  const held = await comment(thread.id, 'Held one');
  await app.deps.db.update(comments).set({ status: 'pending' }).where(eq(comments.id, held.id));
  const shadowed = await comment(thread.id, 'Shadowed one');
  await app.deps.db.update(comments).set({ status: 'pending', shadowed: true }).where(eq(comments.id, shadowed.id));
  const res = await fetch(`${app.url}/feeds/threads/${thread.id}/atom.xml`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
  const xml = await res.text();
  assert.match(xml, /^<\?xml version="1.0" encoding="utf-8"\?>\s*<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
  assert.ok(xml.indexOf(second.id) < xml.indexOf(first.id), 'newest first');
  assert.ok(xml.includes(`${SITE_ORIGIN}/feed-1#comment-${first.id}`));
  assert.doesNotMatch(xml, /Held one|Shadowed one/);
  // Titles and contents are HTML to a feed reader: readers' words arrive as text, never as markup.
  assert.doesNotMatch(xml, /<script>|<b>/);
  assert.match(xml, /<title type="html"><!\[CDATA\[Ann &lt;O&#39;Brien&gt; on feed-1: First &amp; &lt;b&gt;bold&lt;\/b&gt; &lt;script&gt;/);
  assert.match(xml, /<content type="html"><!\[CDATA\[<p>First &amp; &lt;b&gt;bold&lt;\/b&gt; &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/p>\]\]>/);
  assert.match(xml, new RegExp(`<link rel="self" href="${app.url.replace(/\./g, '\\.')}/feeds/threads/${thread.id}/atom.xml"`));
});

test('a site\'s feed spans its threads; an unknown thread or site is 404, a malformed id 400', async () => {
  const a = await openThread(app, 'feed-a');
  const b = await openThread(app, 'feed-b');
  await comment(a.id, 'In thread A');
  await comment(b.id, 'In thread B');
  const xml = await (await fetch(`${app.url}/feeds/sites/news/atom.xml`)).text();
  assert.match(xml, /In thread A/);
  assert.match(xml, /In thread B/);
  assert.equal((await fetch(`${app.url}/feeds/sites/nope/atom.xml`)).status, 404);
  assert.equal((await fetch(`${app.url}/feeds/threads/00000000-0000-4000-8000-000000000000/atom.xml`)).status, 404);
  assert.equal((await fetch(`${app.url}/feeds/threads/not-a-uuid/atom.xml`)).status, 400);
});
