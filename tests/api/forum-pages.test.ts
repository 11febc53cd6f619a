/** The forum's server-rendered pages, read as a browser without JavaScript (and a crawler) reads them; search, feeds, sitemap, moderators on the page. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { createAccount, setRole } from '../../src/server/auth/accounts.js';
import { auditLog, sites, threads } from '../../src/server/db/schema.js';
import { createCategory } from '../../src/server/forum/categories.js';
import { verifyAuditChain } from '../../src/server/moderation/audit.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';
import { OwnPagesClient } from '../helpers/own-pages.js';

const PASSWORD = 'a long password';
let app: TestApp;
let memberToken: string;

async function account(email: string, name: string, role?: 'moderator') {
  const user = await createAccount(app.deps, { email, password: PASSWORD, displayName: name, verified: true });
  if (role) await setRole(app.deps, { siteId: app.site.id, userId: user.id, role });
  return user;
}

async function topic(category: string, title: string, body: string) {
  const res = await api(app, 'POST', '/api/v1/forum/topics', { token: memberToken, body: { site: 'news', category, title, body } });
  assert.equal(res.status, 201, res.text);
  return res.json.topic as { id: string; url: string; threadId: string };
}

function page(path: string) {
  return fetch(`${app.url}${path}`, { redirect: 'manual' }).then(async (res) => ({ status: res.status, headers: res.headers, text: await res.text() }));
}

const attr = (html: string, re: RegExp) => re.exec(html)?.[1]?.replace(/&amp;/g, '&');

before(async () => {
  app = await startTestApp();
  for (const c of [
    { slug: 'middle-east', name: 'Middle East', description: 'Politics & security' },
    { slug: 'syria', name: 'Syria', parent: 'middle-east' },
    { slug: 'analysis', name: 'Analysis' },
    { slug: 'article-discussions', name: 'Article discussions', startTopics: 'nobody' as const, holdsArticles: true },
  ]) await createCategory(app.deps, app.site.id, c);
  await account('member@news.example', 'Mona Member');
  await account('mod@news.example', 'Max Moderator', 'moderator');
  memberToken = (await api(app, 'POST', '/api/v1/auth/login', { body: { email: 'member@news.example', password: PASSWORD, site: 'news' } })).json.session.token;
});
after(async () => { await app.close(); });

test('the forum home: categories nested one level with counts, topics, and its own title, description, canonical and Open Graph tags', async () => {
  await topic('syria', 'Aleppo <script>alert(1)</script> supply lines', 'The **roads** matter.');
  const res = await page('/forum/news');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  assert.match(res.text, /<title>Forum · News forum<\/title>/);
  assert.match(res.text, /<meta name="description" content="Discussions on News: Middle East, Analysis, Article discussions\."/);
  assert.equal(attr(res.text, /<link rel="canonical" href="([^"]+)"/), `${app.url}/forum/news`);
  assert.match(res.text, /<meta property="og:title" content="Forum"/);
  assert.match(res.text, new RegExp(`<meta property="og:url" content="${app.url}/forum/news"`));
  assert.match(res.text, /<link rel="alternate" type="application\/atom\+xml"/);
  // Syria sits under the Middle East, indented as a subcategory.
  assert.match(res.text, /<tr><td><a href="\/forum\/news\/c\/middle-east" dir="auto">Middle East<\/a><div class="muted" dir="auto">Politics &amp; security<\/div><\/td><td class="num">1<\/td>/);
  assert.match(res.text, /<tr class="sub"><td><a href="\/forum\/news\/c\/syria" dir="auto">Syria<\/a>/);
  // The reader's words are text, never markup.
  assert.match(res.text, /Aleppo &lt;script>alert\(1\)&lt;\/script> supply lines/);
  assert.doesNotMatch(res.text, /<script>alert/);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self' 'nonce-/);
});

test('a category page lists its topics and its subcategories\', sorted, with next and previous links a crawler can follow', async () => {
  for (let i = 0; i < 32; i++) await topic('analysis', `Analysis topic ${String(i).padStart(2, '0')}`, `Body of analysis topic ${i}`);
  const first = await page('/forum/news/c/analysis');
  assert.equal(first.status, 200);
  assert.match(first.text, /<h1 dir="auto">Analysis<\/h1>/);
  assert.match(first.text, /<title>Analysis · News forum<\/title>/);
  assert.match(first.text, /Analysis topic 31/);
  assert.doesNotMatch(first.text, /Analysis topic 00</, 'the oldest is on the next page');
  assert.doesNotMatch(first.text, /rel="prev"/);
  const next = attr(first.text, /<link rel="next" href="([^"]+)"/);
  assert.ok(next, 'a next link in the head');
  assert.ok(first.text.includes('rel="next">Next page'), 'and in the page');
  const second = await page(new URL(next).pathname + new URL(next).search);
  assert.equal(second.status, 200);
  assert.match(second.text, /Analysis topic 00</);
  assert.doesNotMatch(second.text, /Analysis topic 31</);
  const prev = attr(second.text, /<link rel="prev" href="([^"]+)"/);
  assert.ok(prev);
  const back = await page(new URL(prev).pathname + new URL(prev).search);
  assert.match(back.text, /Analysis topic 31/);
  assert.doesNotMatch(back.text, /rel="prev"/, 'back on the first page');
  // The parent's page lists its subcategory's topics.
  const parent = await page('/forum/news/c/middle-east');
  assert.match(parent.text, /Aleppo/);
  assert.match(parent.text, /<h2>Subcategories<\/h2>/);
  const top = await page('/forum/news/c/analysis?sort=top');
  assert.match(top.text, /<a href="\/forum\/news\/c\/analysis\?sort=top" aria-current="page">Top<\/a>/);
  assert.match(top.text, /<nav class="tabs" aria-label="Top topics of">.*<a href="\/forum\/news\/c\/analysis\?sort=top" aria-current="page">All time<\/a>/s);
  // Top of a period counts the topics started in it.
  await app.deps.db.update(threads).set({ createdAt: new Date(Date.now() - 3 * 86_400_000) }).where(eq(threads.title, 'Analysis topic 31'));
  const today = await page('/forum/news/c/analysis?sort=top&period=day');
  assert.doesNotMatch(today.text, /Analysis topic 31</);
  assert.match(today.text, /Analysis topic 30</);
  // Within the week it is back, on one of the two pages (its ties with the others are broken by age).
  const week = await page('/forum/news/c/analysis?sort=top&period=week');
  const weekNext = attr(week.text, /<link rel="next" href="([^"]+)"/);
  const weekAll = week.text + (weekNext ? (await page(new URL(weekNext).pathname + new URL(weekNext).search)).text : '');
  assert.match(weekAll, /Analysis topic 31</);
  assert.equal((await page('/forum/news/c/nowhere')).status, 404);
  assert.equal((await page('/forum/news/c/analysis?sort=hot')).status, 400);
  assert.equal((await page('/forum/nope')).status, 404);
});

test('a topic page: its title and posts threaded or flat, one canonical address, right to left for Arabic', async () => {
  const t = await topic('middle-east', 'الأمن في المنطقة', 'تحليل **ممتاز** للوضع الأمني.');
  const reply = await api(app, 'POST', `/api/v1/threads/${t.id}/comments`, { token: memberToken, body: { body: 'A reply in English' } });
  const posts = await api(app, 'GET', `/api/v1/threads/${t.id}/comments?sort=oldest`);
  await api(app, 'POST', `/api/v1/threads/${t.id}/comments`, { token: memberToken, body: { body: 'A nested answer', parentId: reply.json.comment.id } });
  const path = new URL(t.url).pathname;
  assert.match(path, /^\/forum\/news\/t\/[0-9a-f-]{36}\/%D8%A7%D9%84%D8%A3%D9%85%D9%86-/);
  const res = await page(path);
  assert.equal(res.status, 200);
  assert.match(res.text, /<h1 dir="auto">الأمن في المنطقة<\/h1>/);
  assert.match(res.text, /<div class="body" dir="auto"><p>تحليل <strong>ممتاز<\/strong> للوضع الأمني.<\/p>/);
  assert.match(res.text, /<meta name="description" content="تحليل ممتاز للوضع الأمني."/);
  assert.match(res.text, /<meta property="og:type" content="article"/);
  assert.equal(attr(res.text, /<link rel="canonical" href="([^"]+)"/), `${app.url}${path}`);
  // Threaded: the nested answer inside its parent's replies; the widget's mount holds the readable copy.
  assert.match(res.text, /<div id="parley-thread" data-site="news" data-key="topic:[^"]+"/);
  assert.match(res.text, /A reply in English<\/p>\s*<\/div><div class="replies"><article class="post"[^>]*><header><strong dir="auto">Mona Member/);
  assert.match(res.text, /<script [^>]*src="\/embed.js"/);
  assert.equal(posts.json.comments.length, 2);
  // Flat: time order, "in reply to".
  const flat = await page(`${path}?view=flat`);
  assert.match(flat.text, /in reply to <span dir="auto">Mona Member<\/span>/);
  assert.doesNotMatch(flat.text, /class="replies"/);
  // Any other address of the topic moves to the one canonical address.
  const bare = await page(`/forum/news/t/${t.id}`);
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.get('location'), path);
  const old = await page(`/forum/news/t/${t.id}/old-title?view=flat`);
  assert.equal(old.headers.get('location'), `${path}?view=flat`);
  assert.equal((await page('/forum/news/t/00000000-0000-4000-8000-000000000000')).status, 404);
  assert.equal((await page('/forum/news/t/not-an-id')).status, 400);
  assert.equal((await page(`${path}?page=9`)).status, 404);
});

test('an article\'s thread is a topic of "Article discussions", linking to its article', async () => {
  const article = await openThread(app, 'analysis-of-aqim');
  await api(app, 'POST', `/api/v1/threads/${article.id}/comments`, { headers: { origin: SITE_ORIGIN }, body: { body: 'Posted under the article', author: { name: 'Reader' }, composeMs: 10_000 } });
  const list = await page('/forum/news/c/article-discussions');
  assert.match(list.text, /analysis-of-aqim/);
  const link = attr(list.text, /<a href="(\/forum\/news\/t\/[^"]+)" dir="auto">analysis-of-aqim<\/a>/);
  assert.ok(link);
  const res = await page(link);
  assert.match(res.text, /Posted under the article/);
  assert.match(res.text, new RegExp(`<a href="${SITE_ORIGIN}/analysis-of-aqim">Read the article</a>`));
});

test('a member starts a topic with the form (preview first); without the form\'s token or a session nothing is written', async () => {
  const anonymous = await page('/forum/news/new');
  assert.match(anonymous.text, /Members start topics\. <a href="\/auth\/signin\?returnTo=%2Fforum%2Fnews%2Fnew">Sign in<\/a>/);
  const browser = new OwnPagesClient(app);
  await browser.signIn('member@news.example', PASSWORD);
  const form = await browser.get('/forum/news/new?category=syria');
  assert.equal(form.status, 200);
  assert.match(form.text, /<option value="syria" selected>— Syria<\/option>/);
  assert.doesNotMatch(form.text, /value="article-discussions"/, 'a category that takes no topics is not offered');
  const preview = await browser.post('/forum/news/new', { category: 'syria', title: 'Form topic', body: 'Hello *there* <img src=x onerror=alert(1)>', preview: '1' });
  assert.equal(preview.status, 200);
  assert.match(preview.text, /<h2 id="preview-heading">Preview<\/h2>/);
  assert.match(preview.text, /Hello <em>there<\/em>/);
  assert.doesNotMatch(preview.text, /<img/);
  assert.match(preview.text, /&lt;img src=x onerror=alert\(1\)&gt;/, 'the writer\'s markup is text in the preview');
  assert.equal((await app.deps.db.select().from(threads).where(eq(threads.title, 'Form topic'))).length, 0, 'a preview writes nothing');
  const forged = await browser.post('/forum/news/new', { category: 'syria', title: 'Form topic', body: 'Hello' }, { csrf: false });
  assert.equal(forged.status, 403);
  const empty = await browser.post('/forum/news/new', { category: 'syria', title: ' ', body: 'Hello' });
  assert.equal(empty.status, 400);
  assert.match(empty.text, /<p class="error">title must not be empty<\/p>/);
  const locked = await browser.post('/forum/news/new', { category: 'article-discussions', title: 'Sneaky', body: 'Hello' });
  assert.equal(locked.status, 403);
  const created = await browser.post('/forum/news/new', { category: 'syria', title: 'Form topic', body: 'Hello there' });
  assert.equal(created.status, 303);
  assert.match(created.location ?? '', /^\/forum\/news\/t\/[0-9a-f-]{36}\/form-topic$/);
  const [row] = await app.deps.db.select().from(threads).where(eq(threads.title, 'Form topic'));
  assert.equal(row.commentCount, 1);
  // Under pre-moderation the topic waits, unseen, and its author is told so.
  await app.deps.db.update(sites).set({ premoderation: 'all' }).where(eq(sites.id, app.site.id));
  app.deps.events.emit('site.changed', { siteId: app.site.id });
  const held = await browser.post('/forum/news/new', { category: 'syria', title: 'Held topic', body: 'Waiting for review' });
  assert.equal(held.status, 303);
  assert.equal(held.location, '/forum/news/c/syria?held=1');
  const told = await browser.get(held.location!);
  assert.match(told.text, /Your topic waits for a moderator/);
  assert.doesNotMatch(told.text, /Held topic/);
  await app.deps.db.update(sites).set({ premoderation: 'none' }).where(eq(sites.id, app.site.id));
  app.deps.events.emit('site.changed', { siteId: app.site.id });
  // Read by its author: no longer unread for them.
  const shown = await browser.get(created.location!);
  assert.match(shown.text, /Signed in as <a href="\/account" dir="auto">Mona Member<\/a>/);
  const list = await browser.get('/forum/news/c/syria');
  assert.doesNotMatch(list.text.split('Form topic')[1]?.split('</tr>')[0] ?? '', /Unread/);
});

test('search: English stems, Arabic, a quoted phrase, escaped snippets with the words marked, on the page and in the API', async () => {
  await topic('analysis', 'Kidnapping economics', 'Ransoms funded <b>the</b> kidnappers\' operations across the Sahel.');
  await topic('analysis', 'Maghreb union', 'التعاون الإقليمي بين دول المغرب العربي هو الحل');
  const search = (q: string) => api(app, 'GET', `/api/v1/search?site=news&q=${encodeURIComponent(q)}`);
  const stems = await search('funding kidnapper');
  assert.equal(stems.status, 200);
  const hit = stems.json.results.find((r: { title: string; commentId?: string }) => r.title === 'Kidnapping economics' && r.commentId);
  assert.ok(hit, JSON.stringify(stems.json));
  assert.match(hit.snippet, /<mark>funded<\/mark>/);
  assert.doesNotMatch(hit.snippet, /<b>/, 'the writer\'s markup never arrives as markup');
  assert.match(hit.snippet, /<mark>kidnappers<\/mark>&#39; operations/, 'the rest is escaped text');
  const titles = await search('kidnapping');
  assert.ok(titles.json.results.some((r: { title: string; commentId?: string; snippet: string }) => !r.commentId && r.snippet === '<mark>Kidnapping</mark> economics'));
  const arabic = await search('المغرب');
  assert.ok(arabic.json.results.some((r: { title: string }) => r.title === 'Maghreb union'), JSON.stringify(arabic.json));
  assert.equal((await search('"Sahel operations"')).json.results.length, 0, 'a phrase matches only in order');
  assert.ok((await search('"operations across the Sahel"')).json.results.length > 0);
  assert.equal((await api(app, 'GET', '/api/v1/search?site=news&q=')).status, 400);
  assert.equal((await api(app, 'GET', `/api/v1/search?site=news&q=${'x'.repeat(201)}`)).status, 400);
  const onPage = await page(`/forum/news/search?q=${encodeURIComponent('funding')}`);
  assert.equal(onPage.status, 200);
  assert.match(onPage.text, /<mark>funded<\/mark>/);
  assert.match(onPage.text, /<meta name="robots" content="noindex"/);
});

test('Atom feeds of the forum, a category and a topic; a sitemap of the topics', async () => {
  const t = await topic('syria', 'Feed topic <i>x</i>', 'Feed body');
  const forum = await page('/forum/news/feed.atom');
  assert.equal(forum.status, 200);
  assert.equal(forum.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
  assert.match(forum.text, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
  assert.match(forum.text, /Feed topic &lt;i&gt;x&lt;\/i&gt;/);
  assert.doesNotMatch(forum.text, /<i>x<\/i>/);
  assert.match(forum.text, /<content type="html"><!\[CDATA\[<p>Feed body<\/p>\s*<p>0 replies<\/p>\]\]><\/content>/, 'the first post, as stored (sanitized)');
  const category = await page('/forum/news/c/syria/feed.atom');
  assert.match(category.text, /Feed topic/);
  assert.doesNotMatch((await page('/forum/news/c/analysis/feed.atom')).text, /Feed topic/);
  const own = await page(`${new URL(t.url).pathname}/feed.atom`);
  assert.equal(own.status, 200);
  assert.match(own.text, /Feed body/);
  const sitemap = await page('/forum/news/sitemap.xml');
  assert.equal(sitemap.status, 200);
  assert.match(sitemap.text, /<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
  assert.ok(sitemap.text.includes(`<loc>${t.url}</loc>`));
});

test('moderators pin, lock, move and delete a topic on its page, audited as on the dashboard; a member may not', async () => {
  const t = await topic('analysis', 'Moderate me', 'Body to moderate');
  const path = new URL(t.url).pathname;
  const member = new OwnPagesClient(app);
  await member.signIn('member@news.example', PASSWORD);
  const memberPage = await member.get(path);
  assert.doesNotMatch(memberPage.text, /aria-label="Moderation"/);
  assert.equal((await member.post(`/forum/news/t/${t.id}/moderate`, { action: 'pin' })).status, 403);
  const mod = new OwnPagesClient(app);
  await mod.signIn('mod@news.example', PASSWORD);
  const modPage = await mod.get(path);
  assert.match(modPage.text, /<section aria-label="Moderation"/);
  assert.equal((await mod.post(`/forum/news/t/${t.id}/moderate`, { action: 'pin' }, { csrf: false })).status, 403, 'no CSRF token, nothing done');
  for (const [fields, check] of [
    [{ action: 'pin' }, (r: typeof threads.$inferSelect) => r.pinned === true],
    [{ action: 'lock' }, (r: typeof threads.$inferSelect) => r.status === 'locked'],
    [{ action: 'move', category: 'syria' }, (r: typeof threads.$inferSelect) => r.categoryId !== null],
  ] as const) {
    await mod.get(path);
    const res = await mod.post(`/forum/news/t/${t.id}/moderate`, fields);
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const [row] = await app.deps.db.select().from(threads).where(eq(threads.id, t.id));
    assert.ok(check(row), fields.action);
  }
  const shown = await page('/forum/news/c/syria');
  assert.match(shown.text, /Moderate me<\/a><span class="badge">Pinned<\/span><span class="badge">Locked<\/span>/);
  await mod.get(path);
  const bad = await mod.post(`/forum/news/t/${t.id}/moderate`, { action: 'move', category: 'nowhere' });
  assert.equal(bad.status, 404);
  await mod.get(path);
  assert.equal((await mod.post(`/forum/news/t/${t.id}/moderate`, { action: 'delete' })).status, 303);
  assert.equal((await app.deps.db.select().from(threads).where(eq(threads.id, t.id))).length, 0);
  const actions = (await app.deps.db.select().from(auditLog).where(eq(auditLog.targetId, t.id))).map((e) => e.action);
  assert.deepEqual(actions, ['thread.pin', 'thread.lock', 'thread.move', 'thread.delete']);
  assert.equal((await verifyAuditChain(app.deps.db, app.site.id)).ok, true);
});

test('a category page and a topic page send the same few queries whatever the forum\'s and the topic\'s size', async () => {
  // The second read of each: the site's category counts are then held (categories.ts), as on a busy forum.
  const count = async (path: string) => {
    await page(path);
    app.queries.length = 0;
    const res = await page(path);
    assert.equal(res.status, 200, path);
    return app.queries.length;
  };
  const t = await topic('analysis', 'Growing topic', 'First post');
  const path = new URL(t.url).pathname;
  const smallList = await count('/forum/news/c/analysis');
  const smallTopic = await count(path);
  const smallFlat = await count(`${path}?view=flat`);
  for (let i = 0; i < 12; i++) await topic('analysis', `Padding topic ${i}`, `Padding body ${i}`);
  const posted = [];
  for (let i = 0; i < 15; i++) {
    const parentId = i % 3 === 0 ? undefined : posted.at(-1);
    const res = await api(app, 'POST', `/api/v1/threads/${t.id}/comments`, { token: memberToken, body: { body: `Reply number ${i}`, ...(parentId ? { parentId } : {}) } });
    posted.push(res.json.comment.id as string);
  }
  // The page readers without a session share was rendered before the replies: they dropped it.
  assert.match((await page(path)).text, /Reply number 14/);
  assert.equal(await count('/forum/news/c/analysis'), smallList);
  assert.equal(await count(path), smallTopic);
  assert.equal(await count(`${path}?view=flat`), smallFlat);
  assert.ok(smallList <= 5, `category page: ${smallList} queries`);
  assert.ok(smallTopic <= 7, `topic page: ${smallTopic} queries`);
});
