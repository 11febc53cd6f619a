import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSite } from '../../src/server/sites/service.js';
import { api, openThread, SITE_ORIGIN, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
before(async () => { app = await startTestApp(); });
after(async () => { await app?.close(); });

const threadUrl = (params: Record<string, string>) => `/api/v1/threads?${new URLSearchParams(params)}`;

describe('GET /api/v1/threads', () => {
  it('creates the thread on first view from an allowed origin, then finds it', async () => {
    const params = { site: 'news', key: 'story-7', url: `${SITE_ORIGIN}/2024/story-7#comments`, title: 'Story 7' };
    const first = await api(app, 'GET', threadUrl(params));
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.json.thread).sort(), ['commentCount', 'id', 'key', 'status', 'title', 'url']);
    assert.equal(first.json.thread.key, 'story-7');
    assert.equal(first.json.thread.url, `${SITE_ORIGIN}/2024/story-7`);
    assert.equal(first.json.thread.commentCount, 0);
    const again = await api(app, 'GET', threadUrl({ site: 'news', key: 'story-7' }));
    assert.equal(again.json.thread.id, first.json.thread.id);
  });

  it('refuses to create a thread for a page on another origin', async () => {
    const res = await api(app, 'GET', threadUrl({ site: 'news', key: 'evil', url: 'https://evil.example/page' }));
    assert.equal(res.status, 403);
    assert.equal(res.json.error.code, 'forbidden');
  });

  it('answers 404 for an unknown site or an unknown thread without a URL', async () => {
    assert.equal((await api(app, 'GET', threadUrl({ site: 'nope', key: 'x', url: `${SITE_ORIGIN}/x` }))).status, 404);
    assert.equal((await api(app, 'GET', threadUrl({ site: 'news', key: 'never-seen' }))).status, 404);
  });

  it('keys a page by its URL when it has no identifier, and finds its site by origin', async () => {
    const res = await api(app, 'GET', threadUrl({ url: `${SITE_ORIGIN}/no-id?page=2#c` }));
    assert.equal(res.status, 200);
    assert.equal(res.json.thread.key, `${SITE_ORIGIN}/no-id?page=2`);
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
    await api(app, 'GET', `/api/v1/threads?${new URLSearchParams({ site: 'news', url: key })}`);
    const thread = (await api(app, 'GET', `/api/v1/threads?${new URLSearchParams({ site: 'news', key })}`)).json.thread;
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
