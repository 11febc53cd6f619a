import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSite } from '../../src/server/sites/service.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
before(async () => { app = await startTestApp(); });
after(async () => { await app?.close(); });

const threadUrl = (params: Record<string, string>) => `/api/v1/threads?${new URLSearchParams(params)}`;
/** A view as a browser on the site's page makes it: with the page's Origin. */
const fromSite = { headers: { origin: SITE_ORIGIN } };
const threadCount = async () => (await app.database.pool.query('select count(*)::int as n from threads')).rows[0].n as number;

describe('GET /api/v1/threads', () => {
  it('creates the thread on first view from an allowed origin, then finds it', async () => {
    const params = { site: 'news', key: 'story-7', url: `${SITE_ORIGIN}/2024/story-7#comments`, title: 'Story 7' };
    const first = await api(app, 'GET', threadUrl(params), fromSite);
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.json.thread).sort(), ['commentCount', 'id', 'key', 'site', 'status', 'title', 'url']);
    assert.equal(first.json.thread.site, 'news');
    assert.equal(first.json.thread.key, 'story-7');
    assert.equal(first.json.thread.url, `${SITE_ORIGIN}/2024/story-7`);
    assert.equal(first.json.thread.commentCount, 0);
    const again = await api(app, 'GET', threadUrl({ site: 'news', key: 'story-7' }));
    assert.equal(again.json.thread.id, first.json.thread.id);
  });

  it('refuses to create a thread for a page on another origin', async () => {
    const res = await api(app, 'GET', threadUrl({ site: 'news', key: 'evil', url: 'https://evil.example/page' }), fromSite);
    assert.equal(res.status, 403);
    assert.equal(res.json.error.code, 'forbidden');
  });

  it('creates no thread for a request without an Origin or from a foreign one, and the real page later sets its own title', async () => {
    const before = await threadCount();
    const planted = { site: 'news', key: 'future-story', url: `${SITE_ORIGIN}/future-story`, title: 'Attacker title' };
    const bare = await api(app, 'GET', threadUrl(planted));
    assert.equal(bare.status, 404, 'curl and servers read threads but create none');
    const evil = await api(app, 'GET', threadUrl(planted), { headers: { origin: 'https://evil.example' } });
    assert.equal(evil.status, 403);
    assert.equal(await threadCount(), before);

    const real = await api(app, 'GET', threadUrl({ ...planted, title: 'The real story' }), fromSite);
    assert.equal(real.status, 200);
    assert.equal(real.json.thread.title, 'The real story');
    assert.equal(real.json.thread.url, `${SITE_ORIGIN}/future-story`);
    // Titles change only from the site's own pages: a bare or foreign request cannot rename it.
    await api(app, 'GET', threadUrl({ site: 'news', key: 'future-story', title: 'Renamed by curl' }));
    await api(app, 'GET', threadUrl({ site: 'news', key: 'future-story', title: 'Renamed by evil' }), { headers: { origin: 'https://evil.example' } });
    const seen = await api(app, 'GET', threadUrl({ site: 'news', key: 'future-story' }));
    assert.equal(seen.json.thread.title, 'The real story');
    const corrected = await api(app, 'GET', threadUrl({ site: 'news', key: 'future-story', title: 'The corrected story' }), fromSite);
    assert.equal(corrected.json.thread.title, 'The corrected story');
  });

  it('refuses a page URL on another origin than the asking page, even an origin of the same site', async () => {
    await createSite(app.deps, { slug: 'twin', name: 'Twin', origins: ['https://a.twin.example', 'https://b.twin.example'] });
    const res = await api(app, 'GET', threadUrl({ site: 'twin', key: 'x', url: 'https://b.twin.example/x' }), { headers: { origin: 'https://a.twin.example' } });
    assert.equal(res.status, 403);
  });

  it('keys pages without identifier by URL without tracking parameters, www, trailing slash or index.html', async () => {
    const variants = [
      `${SITE_ORIGIN}/same-page?utm_source=a`, `${SITE_ORIGIN}/same-page?utm_source=b&utm_medium=x`, `${SITE_ORIGIN}/same-page/`,
      `${SITE_ORIGIN}/same-page/index.html`, `${SITE_ORIGIN}/same-page#comments`,
    ];
    const ids = new Set<string>();
    for (const url of variants) ids.add((await api(app, 'GET', threadUrl({ site: 'news', url }), fromSite)).json.thread.id);
    assert.equal(ids.size, 1, 'one page, one thread');
  });

  it('keeps the query parameters a site says name a different page', async () => {
    await createSite(app.deps, { slug: 'forum-like', name: 'F', origins: ['https://f.example'], significantQueryParams: ['p'] });
    const open = async (url: string) => (await api(app, 'GET', threadUrl({ site: 'forum-like', url }), { headers: { origin: 'https://f.example' } })).json.thread;
    const a = await open('https://f.example/view?p=1&utm_source=x');
    const b = await open('https://f.example/view?p=2');
    const a2 = await open('https://www.f.example/view?utm_campaign=y&p=1'.replace('www.', ''));
    assert.notEqual(a.id, b.id);
    assert.equal(a.id, a2.id);
    assert.equal(a.key, 'https://f.example/view?p=1');
  });

  it('refuses text with NUL characters with 400, writing nothing', async () => {
    const before = await threadCount();
    const res = await api(app, 'GET', threadUrl({ site: 'news', key: 'nul\u0000key', url: `${SITE_ORIGIN}/nul` }), fromSite);
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, 'validation_failed');
    assert.equal(await threadCount(), before);
  });

  it('answers 404 for an unknown site or an unknown thread without a URL', async () => {
    assert.equal((await api(app, 'GET', threadUrl({ site: 'nope', key: 'x', url: `${SITE_ORIGIN}/x` }))).status, 404);
    assert.equal((await api(app, 'GET', threadUrl({ site: 'news', key: 'never-seen' }))).status, 404);
  });

  it('keys a page by its URL when it has no identifier, and finds its site by origin', async () => {
    const res = await api(app, 'GET', threadUrl({ url: `${SITE_ORIGIN}/no-id?page=2#c` }), fromSite);
    assert.equal(res.status, 200);
    assert.equal(res.json.thread.key, `${SITE_ORIGIN}/no-id`);
  });

  it('returns the first page of comments in the same response when asked', async () => {
    const thread = await openThread(app, 'with-comments');
    await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { body: { body: 'first!', author: { name: 'A' } } });
    const res = await api(app, 'GET', threadUrl({ site: 'news', key: 'with-comments', include: 'comments' }));
    assert.equal(res.json.comments.length, 1);
    assert.equal(res.json.nextCursor, null);
    assert.match(res.json.eventCursor, /^\d+$/);
  });

  it('rejects bad parameters with 400', async () => {
    assert.equal((await api(app, 'GET', threadUrl({ site: 'news', key: 'k', url: 'javascript:alert(1)' }))).status, 400);
    assert.equal((await api(app, 'GET', threadUrl({ site: 'news', key: 'k', sort: 'loudest' }))).status, 400);
    assert.equal((await api(app, 'GET', '/api/v1/threads')).status, 400);
  });
});

describe('GET /api/v1/counts', () => {
  it('counts published comments by key or URL, 0 for unknown pages', async () => {
    const a = await openThread(app, 'count-a');
    for (const body of ['one', 'two']) {
      await api(app, 'POST', `/api/v1/threads/${a.id}/comments`, { body: { body, author: { name: 'C' } } });
    }
    const res = await api(app, 'GET', `/api/v1/counts?site=news&keys=count-a,${encodeURIComponent(`${SITE_ORIGIN}/count-a`)},missing,__proto__`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.counts, { 'count-a': 2, [`${SITE_ORIGIN}/count-a`]: 2, missing: 0, ['__proto__']: 0 });
  });

  it('takes keys one parameter each, so a URL with commas is one key', async () => {
    const key = `${SITE_ORIGIN}/tags/a,b`;
    const thread = (await api(app, 'GET', `/api/v1/threads?${new URLSearchParams({ site: 'news', key, url: key })}`, fromSite)).json.thread;
    await api(app, 'POST', `/api/v1/threads/${thread.id}/comments`, { body: { body: 'comma', author: { name: 'C' } } });
    const res = await api(app, 'GET', `/api/v1/counts?${new URLSearchParams([['site', 'news'], ['key', key], ['key', 'count-a']])}`);
    assert.deepEqual(res.json.counts, { [key]: 1, 'count-a': 2 });
  });

  it('counts only the named site', async () => {
    await createSite(app.deps, { slug: 'other', name: 'Other', origins: ['https://other.example'] });
    const res = await api(app, 'GET', '/api/v1/counts?site=other&keys=count-a');
    assert.deepEqual(res.json.counts, { 'count-a': 0 });
    assert.equal((await api(app, 'GET', '/api/v1/counts?site=news')).status, 400);
  });

  it('finds the site from the asking page\'s origin when count.js names none', async () => {
    const res = await api(app, 'GET', '/api/v1/counts?keys=count-a', { headers: { origin: SITE_ORIGIN } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.counts, { 'count-a': 2 });
    assert.equal((await api(app, 'GET', '/api/v1/counts?keys=count-a')).status, 400);
    assert.equal((await api(app, 'GET', '/api/v1/counts?keys=count-a', { headers: { origin: 'https://unknown.example' } })).status, 404);
  });
});
