/** The forum's API: categories with counts, topic lists (sorts, pinned first, cursors), starting topics, permissions, bad input. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { createAccount, setRole } from '../../src/server/auth/accounts.js';
import { threads } from '../../src/server/db/schema.js';
import { createCategory } from '../../src/server/forum/categories.js';
import { markTopicRead } from '../../src/server/forum/service.js';
import { createSite } from '../../src/server/sites/service.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
let member: { token: string; userId: string };
let moderator: { token: string; userId: string };

async function signedIn(email: string, name: string, role?: 'moderator' | 'member') {
  const user = await createAccount(app.deps, { email, password: 'a long password', displayName: name, verified: true });
  if (role) await setRole(app.deps, { siteId: app.site.id, userId: user.id, role });
  const res = await api(app, 'POST', '/api/v1/auth/login', { body: { email, password: 'a long password', site: 'news' } });
  assert.equal(res.status, 200, res.text);
  return { token: res.json.session.token as string, userId: user.id };
}

before(async () => {
  app = await startTestApp();
  const add = (input: Parameters<typeof createCategory>[2]) => createCategory(app.deps, app.site.id, input);
  await add({ slug: 'africa', name: 'Africa', description: 'The continent' });
  await add({ slug: 'kenya', name: 'Kenya', parent: 'africa' });
  await add({ slug: 'analysis', name: 'Analysis' });
  await add({ slug: 'announcements', name: 'Announcements', startTopics: 'staff' });
  await add({ slug: 'archive', name: 'Archive', locked: true });
  await add({ slug: 'article-discussions', name: 'Article discussions', startTopics: 'nobody', holdsArticles: true });
  member = await signedIn('member@news.example', 'Mona Member');
  moderator = await signedIn('mod@news.example', 'Max Moderator', 'moderator');
});
after(async () => { await app.close(); });

async function startTopic(body: Record<string, unknown>, token = member.token) {
  return api(app, 'POST', '/api/v1/forum/topics', { token, body: { site: 'news', ...body } });
}

async function threadCount(): Promise<number> {
  const [row] = await app.deps.db.select({ n: sql<number>`count(*)::int` }).from(threads);
  return row.n;
}

test('a member starts a topic: its thread and first post, listed in its category and its parent', async () => {
  const res = await startTopic({ category: 'kenya', title: '  Elections in Nairobi  ', body: 'What do **you** expect?' });
  assert.equal(res.status, 201, res.text);
  const { topic } = res.json;
  assert.equal(topic.title, 'Elections in Nairobi');
  assert.equal(topic.category, 'kenya');
  assert.deepEqual(topic.author, { id: member.userId, name: 'Mona Member' });
  assert.equal(topic.replyCount, 0);
  assert.equal(topic.status, 'open');
  assert.equal(topic.pinned, false);
  assert.match(topic.url, new RegExp(`/forum/news/t/${topic.id}/elections-in-nairobi$`));
  const posts = await api(app, 'GET', `/api/v1/threads/${topic.threadId}/comments?sort=oldest`);
  assert.equal(posts.status, 200);
  assert.equal(posts.json.comments.length, 1);
  assert.equal(posts.json.comments[0].html.trim(), '<p>What do <strong>you</strong> expect?</p>');
  for (const category of ['kenya', 'africa']) {
    const list = await api(app, 'GET', `/api/v1/forum/topics?site=news&category=${category}`);
    assert.equal(list.status, 200);
    assert.ok(list.json.topics.some((t: { id: string }) => t.id === topic.id), `listed in ${category}`);
  }
  const elsewhere = await api(app, 'GET', '/api/v1/forum/topics?site=news&category=analysis');
  assert.ok(!elsewhere.json.topics.some((t: { id: string }) => t.id === topic.id));
  // A reply through the comments' own endpoint counts and moves the topic.
  const reply = await api(app, 'POST', `/api/v1/threads/${topic.threadId}/comments`, { token: moderator.token, body: { body: 'Turnout, mostly.' } });
  assert.equal(reply.status, 201, reply.text);
  const after = (await api(app, 'GET', '/api/v1/forum/topics?site=news&category=kenya')).json.topics.find((t: { id: string }) => t.id === topic.id);
  assert.equal(after.replyCount, 1);
  assert.ok(after.lastActivityAt >= topic.lastActivityAt);
});

test('categories come in the site\'s order, nested one level, with topic and post counts (a parent\'s include its children\'s)', async () => {
  const article = await openThread(app, 'forum-article');
  await api(app, 'POST', `/api/v1/threads/${article.id}/comments`, { headers: { origin: SITE_ORIGIN }, body: { body: 'Under the article', author: { name: 'Reader' }, composeMs: 10_000 } });
  await startTopic({ category: 'analysis', title: 'Counting sources', body: 'How many do you need?' });
  const res = await api(app, 'GET', '/api/v1/forum/categories?site=news');
  assert.equal(res.status, 200);
  const cats = res.json.categories as Array<{ slug: string; parentId: string | null; id: string; topicCount: number; postCount: number; lastActivityAt: string | null; description: string; name: string }>;
  assert.deepEqual(cats.map((c) => c.slug), ['africa', 'kenya', 'analysis', 'announcements', 'archive', 'article-discussions']);
  const bySlug = Object.fromEntries(cats.map((c) => [c.slug, c]));
  assert.equal(bySlug.kenya.parentId, bySlug.africa.id);
  assert.equal(bySlug.africa.parentId, null);
  assert.equal(bySlug.africa.description, 'The continent');
  assert.ok(bySlug.africa.topicCount >= 1);
  assert.equal(bySlug.africa.topicCount, bySlug.kenya.topicCount);
  assert.equal(bySlug.africa.postCount, bySlug.kenya.postCount);
  assert.ok(bySlug.analysis.topicCount >= 1);
  assert.equal(bySlug['article-discussions'].topicCount >= 1, true);
  assert.ok(bySlug['article-discussions'].postCount >= 1);
  assert.equal(bySlug.archive.topicCount, 0);
  assert.equal(bySlug.archive.lastActivityAt, null);
  // The article's thread is a topic of "Article discussions", linking back to its page.
  const list = await api(app, 'GET', '/api/v1/forum/topics?site=news&category=article-discussions');
  const topic = list.json.topics.find((t: { id: string }) => t.id === article.id);
  assert.equal(topic.kind, 'article');
  assert.equal(topic.articleUrl, `${SITE_ORIGIN}/forum-article`);
  assert.equal(topic.category, 'article-discussions');
});

test('lists: pinned first, latest / newest / top, and a cursor walks every topic once', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) {
    const res = await startTopic({ category: 'analysis', title: `Paging topic ${i}`, body: `Body number ${i}` });
    assert.equal(res.status, 201, res.text);
    ids.push(res.json.topic.id);
  }
  // The first one gets replies (top), the second is pinned.
  for (let i = 0; i < 3; i++) await api(app, 'POST', `/api/v1/threads/${ids[0]}/comments`, { token: moderator.token, body: { body: `Reply ${i} to the first` } });
  await app.deps.db.update(threads).set({ pinned: true }).where(eq(threads.id, ids[1]));
  const walk = async (sort: string) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(app, 'GET', `/api/v1/forum/topics?site=news&category=analysis&sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.status, 200, res.text);
      seen.push(...res.json.topics.map((t: { id: string }) => t.id));
      cursor = res.json.nextCursor;
    } while (cursor);
    return seen;
  };
  const latest = await walk('latest');
  assert.equal(latest[0], ids[1], 'pinned first');
  assert.equal(latest[1], ids[0], 'then the latest activity');
  assert.equal(new Set(latest).size, latest.length, 'no topic twice');
  for (const id of ids) assert.ok(latest.includes(id));
  const newest = await walk('newest');
  assert.deepEqual(newest.slice(0, 3), [ids[1], ids[6], ids[5]]);
  const top = await walk('top');
  assert.deepEqual(top.slice(0, 2), [ids[1], ids[0]]);
  assert.equal(top.length, latest.length);
  const first = (await api(app, 'GET', '/api/v1/forum/topics?site=news&category=analysis')).json.topics[0];
  assert.equal(first.pinned, true);
});

test('locked and closed topics are marked; a signed-in reader sees what is unread', async () => {
  const a = (await startTopic({ category: 'analysis', title: 'Soon locked', body: 'Lock me' })).json.topic;
  const locked = await api(app, 'POST', `/api/v1/mod/threads/${a.id}`, { token: moderator.token, body: { action: 'lock' } });
  assert.equal(locked.status, 200, locked.text);
  const list = await api(app, 'GET', '/api/v1/forum/topics?site=news&category=analysis', { token: member.token });
  const found = list.json.topics.find((t: { id: string }) => t.id === a.id);
  assert.equal(found.status, 'locked');
  assert.equal(found.unread, true);
  assert.equal(list.headers.get('cache-control'), 'private, no-store');
  await markTopicRead(app.deps, member.userId, a.id);
  const read = (await api(app, 'GET', '/api/v1/forum/topics?site=news&category=analysis', { token: member.token })).json.topics.find((t: { id: string }) => t.id === a.id);
  assert.equal(read.unread, false);
  const anonymous = (await api(app, 'GET', '/api/v1/forum/topics?site=news&category=analysis')).json.topics.find((t: { id: string }) => t.id === a.id);
  assert.equal('unread' in anonymous, false);
});

test('who may start topics: nobody without a session or as a guest, staff only where the category says, never in a locked one', async () => {
  const before = await threadCount();
  const cases: Array<[string, Record<string, unknown>, string | undefined, number, string]> = [
    ['no session', { category: 'analysis', title: 'T', body: 'B' }, undefined, 401, 'auth_required'],
    ['staff-only category', { category: 'announcements', title: 'T', body: 'B' }, member.token, 403, 'forbidden'],
    ['category that takes no topics', { category: 'article-discussions', title: 'T', body: 'B' }, member.token, 403, 'forbidden'],
    ['locked category', { category: 'archive', title: 'T', body: 'B' }, moderator.token, 403, 'forbidden'],
    ['unknown category', { category: 'nowhere', title: 'T', body: 'B' }, member.token, 404, 'not_found'],
  ];
  for (const [name, body, token, status, code] of cases) {
    const res = await api(app, 'POST', '/api/v1/forum/topics', { token, body: { site: 'news', ...body } });
    assert.equal(res.status, status, `${name}: ${res.text}`);
    assert.equal(res.json.error.code, code, name);
  }
  // A guest has a session, but no account: guests reply, members start topics.
  const thread = await openThread(app, 'guest-home');
  const guest = await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { headers: { origin: SITE_ORIGIN }, body: { body: 'guest here', author: { name: 'Gus' }, composeMs: 10_000 } });
  const asGuest = await startTopic({ category: 'analysis', title: 'T', body: 'B' }, guest.json.session.token);
  assert.equal(asGuest.status, 401);
  assert.equal(await threadCount(), before + 0 + 1, 'only the guest\'s article thread was added');
  // Staff may where members may not.
  assert.equal((await startTopic({ category: 'announcements', title: 'House rules', body: 'Be civil.' }, moderator.token)).status, 201);
});

test('bad input: a clear error, the right status, and nothing written', async () => {
  const before = await threadCount();
  const long = 'x'.repeat(201);
  const cases: Array<[string, unknown, number, string]> = [
    ['empty title', { site: 'news', category: 'analysis', title: '   ', body: 'B' }, 400, 'title'],
    ['overlong title', { site: 'news', category: 'analysis', title: long, body: 'B' }, 400, 'title'],
    ['empty body', { site: 'news', category: 'analysis', title: 'T', body: ' ' }, 400, 'body'],
    ['overlong body', { site: 'news', category: 'analysis', title: 'T', body: 'y'.repeat(10_001) }, 400, 'body'],
    ['no category', { site: 'news', title: 'T', body: 'B' }, 400, 'category'],
    ['unknown key', { site: 'news', category: 'analysis', title: 'T', body: 'B', pinned: true }, 400, 'pinned'],
    ['title of controls only', { site: 'news', category: 'analysis', title: '\u202e\u0007', body: 'B' }, 400, 'title'],
  ];
  for (const [name, body, status, field] of cases) {
    const res = await api(app, 'POST', '/api/v1/forum/topics', { token: member.token, body });
    assert.equal(res.status, status, `${name}: ${res.text}`);
    assert.ok(['validation_failed', 'bad_request'].includes(res.json.error.code), name);
    assert.match(JSON.stringify(res.json.error), new RegExp(field), name);
    assert.doesNotMatch(res.text, /at \w+ \(/, 'no stack trace');
  }
  for (const [path, code] of [
    ['/api/v1/forum/topics?site=news&sort=hot', 400], ['/api/v1/forum/topics?site=news&cursor=bogus', 400],
    ['/api/v1/forum/topics?site=nope', 404], ['/api/v1/forum/topics?site=news&category=nowhere', 404], ['/api/v1/forum/categories', 400],
  ] as const) {
    assert.equal((await api(app, 'GET', path)).status, code, path);
  }
  assert.equal(await threadCount(), before);
});

test('another site\'s page may not read or write this forum; Parley\'s own pages may', async () => {
  const foreign = { origin: 'https://evil.example' };
  assert.equal((await api(app, 'GET', '/api/v1/forum/topics?site=news', { headers: foreign })).status, 403);
  const write = await api(app, 'POST', '/api/v1/forum/topics', { token: member.token, headers: foreign, body: { site: 'news', category: 'analysis', title: 'T', body: 'B' } });
  assert.equal(write.status, 403);
  assert.equal((await api(app, 'GET', '/api/v1/forum/categories?site=news', { headers: { origin: app.url } })).status, 200);
});

test('live: forum:join {site} gets topic:created for new topics and topic:activity for replies; another site\'s page is refused', async () => {
  const open = async (origin: string) => {
    const s = connect(app.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin } });
    await new Promise<void>((resolve, reject) => { s.once('connect', resolve); s.once('connect_error', reject); });
    return s;
  };
  // The site's own page may follow its forum (Parley's own pages too: see tests/e2e/forum.test.ts).
  const socket: Socket = await open(SITE_ORIGIN);
  await assert.rejects(open('https://evil.example'), /websocket error|Origin/);
  await createSite(app.deps, { slug: 'other', name: 'Other', origins: ['https://other.example'] });
  const foreign: Socket = await open('https://other.example');
  try {
    const ack = await socket.timeout(5000).emitWithAck('forum:join', { site: 'news' });
    assert.deepEqual(ack, { ok: true });
    const refused = await foreign.timeout(5000).emitWithAck('forum:join', { site: 'news' });
    assert.equal(refused.error.code, 'forbidden', 'another site\'s page may not follow this forum');
    const bad = await socket.timeout(5000).emitWithAck('forum:join', { site: 42 });
    assert.equal(bad.ok, false);
    const missing = await socket.timeout(5000).emitWithAck('forum:join', { site: 'nope' });
    assert.equal(missing.error.code, 'not_found');
    const created = new Promise<{ id: string; title: string }>((resolve) => socket.once('topic:created', resolve));
    const res = await startTopic({ category: 'analysis', title: 'Live one', body: 'Appears live' });
    const event = await created;
    assert.equal(event.id, res.json.topic.id);
    assert.equal(event.title, 'Live one');
    const activity = new Promise<{ threadId: string }>((resolve) => socket.once('topic:activity', resolve));
    await api(app, 'POST', `/api/v1/threads/${event.id}/comments`, { token: moderator.token, body: { body: 'A live reply' } });
    assert.equal((await activity).threadId, event.id);
  } finally {
    socket.close();
    foreign.close();
  }
});

test('the OpenAPI document describes the forum\'s endpoints with the schema the route parses', async () => {
  const doc = (await api(app, 'GET', '/api/openapi.json')).json;
  for (const path of ['/forum/categories', '/forum/topics', '/search']) assert.ok(doc.paths[path], path);
  const body = doc.paths['/forum/topics'].post.requestBody.content['application/json'].schema;
  assert.deepEqual(body.required.sort(), ['body', 'category', 'site', 'title']);
  assert.equal(body.properties.title.maxLength, 200);
});

test('the widget on a topic page (Parley\'s own origin) replies, votes and flags on a site that lists only its own origins; another site\'s page may not', async () => {
  const { topic } = (await startTopic({ category: 'analysis', title: 'Replied from the forum', body: 'First post here' })).json;
  const own = { origin: app.url };
  const read = await api(app, 'GET', `/api/v1/threads?site=news&key=${encodeURIComponent(`topic:${topic.id}`)}`, { headers: own });
  assert.equal(read.status, 200, read.text);
  const reply = await api(app, 'POST', `/api/v1/threads/${topic.id}/comments`, { headers: own, body: { body: 'A guest replies in the forum', author: { name: 'Forum Guest' }, composeMs: 10_000 } });
  assert.equal(reply.status, 201, reply.text);
  const first = (await api(app, 'GET', `/api/v1/threads/${topic.id}/comments?sort=oldest`)).json.comments[0];
  const vote = await api(app, 'POST', `/api/v1/comments/${first.id}/vote`, { headers: own, token: reply.json.session.token, body: { value: 1 } });
  assert.equal(vote.status, 200, vote.text);
  const flag = await api(app, 'POST', `/api/v1/comments/${first.id}/flag`, { headers: own, token: reply.json.session.token, body: { reason: 'other' } });
  assert.equal(flag.status, 200, flag.text);
  const edit = await api(app, 'PATCH', `/api/v1/comments/${reply.json.comment.id}`, { headers: own, token: reply.json.session.token, body: { body: 'Edited in the forum' } });
  assert.equal(edit.status, 200, edit.text);
  const foreign = await api(app, 'POST', `/api/v1/threads/${topic.id}/comments`, { headers: { origin: 'https://evil.example' }, body: { body: 'From elsewhere', author: { name: 'Evil' }, composeMs: 10_000 } });
  assert.equal(foreign.status, 403);
  // Creating threads stays the site's own pages' business.
  const made = await api(app, 'GET', `/api/v1/threads?site=news&key=new-page&url=${encodeURIComponent(`${app.url}/new-page`)}`, { headers: own });
  assert.equal(made.status, 403);
});

test('as an attacker: another site\'s token or a tampered one starts no topic; twenty copies at once leave no topic without its first post', async () => {
  const other = await createSite(app.deps, { slug: 'rival', name: 'Rival', origins: ['https://rival.example'] });
  await createAccount(app.deps, { email: 'outsider@rival.example', password: 'a long password', displayName: 'Otto', verified: true });
  const login = await api(app, 'POST', '/api/v1/auth/login', { body: { email: 'outsider@rival.example', password: 'a long password', site: other.slug } });
  assert.equal(login.status, 200, login.text);
  const before = await threadCount();
  const rivalToken = await startTopic({ category: 'analysis', title: 'From a rival site', body: 'Posted with its token' }, login.json.session.token);
  assert.equal(rivalToken.status, 403);
  const tampered = await startTopic({ category: 'analysis', title: 'Tampered', body: 'Posted with a bent token' }, `${member.token.slice(0, -2)}zz`);
  assert.equal(tampered.status, 401);
  assert.equal(await threadCount(), before, 'nothing written');

  const copies = await Promise.all(Array.from({ length: 20 }, () =>
    startTopic({ category: 'analysis', title: 'Twenty at once', body: 'The same topic, sent twenty times' })));
  const created = copies.filter((c) => c.status === 201);
  assert.ok(copies.every((c) => c.status === 201 || c.status === 429), copies.map((c) => c.status).join(','));
  assert.equal(await threadCount(), before + created.length, 'a topic for each 201, and none for a refusal');
  const { rows } = await app.database.pool.query(
    `select t.id, count(c.id)::int as posts from threads t left join comments c on c.thread_id = t.id
      where t.title = 'Twenty at once' group by t.id`);
  assert.equal(rows.length, created.length);
  assert.ok(rows.every((r) => r.posts === 1), 'each with exactly its first post');
});
